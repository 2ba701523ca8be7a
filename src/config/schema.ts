import { z } from 'zod';
import type { Resolution } from '../core/store.js';
import { appsSchema } from './app-schema.js';
import { authSchema } from './auth-schema.js';
import { kubernetesSchema, profileKubernetesSchema, SPAWNER_KINDS, spawnerShorthand } from './kubernetes-schema.js';
import { cullingOverrideSchema, cullingSchema } from './culling-schema.js';
import { servicesSchema } from './services-schema.js';
import { logFilesSchema } from './logs-schema.js';
import { shipSchema } from './ship-schema.js';
import { objectStoreSchema, sparkSchema } from './spark-schema.js';

/**
 * The whole configuration, validated once at start-up and frozen. Every leaf can also be set from the
 * environment as NBHUB_ + its path in upper case (`api.slow_spawn_timeout_seconds` ↔
 * NBHUB_API_SLOW_SPAWN_TIMEOUT_SECONDS); maps and lists take JSON there. docs/configuration.md is
 * generated from this file (`npm run docs:config`).
 */
const seconds = (def: number, description: string) =>
  z.number().min(0).max(86_400 * 365).default(def).describe(description);

export const profileSchema = z
  .object({
    display_name: z.string().default('').describe('Name shown in the console.'),
    command: z
      .array(z.string())
      .default([])
      .describe(
        'Command line of the runtime. Placeholders: {ip} {port} {base_url} {token} {workspace}. Empty: detect Jupyter (JupyterLab, else the classic notebook, else jupyter server).',
      ),
    environment: z.record(z.string(), z.string()).default({}).describe('Extra environment variables.'),
    readiness_path: z
      .string()
      .default('api')
      .describe('Path under the base URL that answers 2xx once the runtime is ready.'),
    start_timeout_seconds: seconds(60, 'A runtime not ready within this time is stopped and marked failed. Counted from the first launch, including the relaunches of a runtime whose port another process took.'),
    memory_limit_bytes: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('Memory a runtime of this profile should stay under (0: none); exported to Prometheus for alerting, not enforced by the local spawner.'),
    culling: cullingOverrideSchema.prefault({}).describe('Culling keys overridden for runtimes of this profile; the others follow culling.*.'),
    apps: appsSchema,
    groups: z
      .array(z.string())
      .default([])
      .describe('Groups whose members may start this profile (empty: everyone). Admins may always.'),
    kubernetes: profileKubernetesSchema.prefault({}).describe('What this profile\'s pods are made of when spawner.kind is kubernetes (image, resources, node selector, …).'),
  })
  .strict();

export const configSchema = z
  .object({
    ip: z.string().default('127.0.0.1').describe('Address the hub listens on.'),
    port: z.number().int().min(0).max(65_535).default(8000).describe('Port the hub listens on.'),
    data_dir: z
      .string()
      .min(1)
      .default('./nbhub-data')
      .describe('Where the SQLite store, workspaces and runtime logs live.'),
    database_url: z
      .string()
      .default('')
      .refine((v) => v === '' || /^postgres(ql)?:\/\//.test(v), 'must be empty (SQLite) or postgres://…')
      .describe('Empty: SQLite in the data dir. postgres://user@host/db: PostgreSQL.'),
    hub_id: z
      .string()
      .regex(/^$|^[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?$/, 'empty, or 1 to 63 letters, digits, ".", "_" and "-", alphanumeric at both ends (a Kubernetes label value)')
      .default('')
      .describe("This installation's id (runtimes' NBHUB_HUB marker, their pods' instance label). Empty: a random one chosen on first start. Set it before the first start (the Helm chart sets its release name); it cannot change afterwards."),
    log_level: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info')
      .describe('Log verbosity.'),
    cookie_secure: z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('Secure flag of the session cookie; auto: when the request came over https (or X-Forwarded-Proto: https).'),
    session_max_age_seconds: seconds(14 * 86_400, 'Lifetime of a login session.'),
    auth: authSchema.prefault({}),
    api: z
      .object({
        slow_spawn_timeout_seconds: seconds(
          10,
          'How long a start request waits for readiness before answering 202 (still pending) instead of 201.',
        ),
        slow_stop_timeout_seconds: seconds(10, 'How long a stop request waits before answering 202 instead of 204.'),
        max_body_bytes: z
          .number()
          .int()
          .min(1024)
          .default(1_048_576)
          .describe('Largest request body the API accepts (the proxy does not limit bodies).'),
        page_default_limit: z.number().int().min(1).default(200).describe('Page size when ?limit= is absent.'),
        page_max_limit: z.number().int().min(1).default(200).describe('Largest ?limit= accepted.'),
      })
      .strict()
      .prefault({}),
    lifecycle: z
      .object({
        stop_runtimes_on_shutdown: z
          .boolean()
          .default(false)
          .describe('On SIGTERM, also stop every runtime (default: leave them running, to be adopted).'),
        stop_grace_seconds: seconds(5, 'After SIGTERM, how long a runtime has before SIGKILL.'),
        poll_seconds: seconds(5, 'How often every runtime is polled for an unnoticed exit.'),
      })
      .strict()
      .prefault({}),
    monitoring: z
      .object({
        interval_seconds: z
          .number()
          .min(1)
          .max(86_400)
          .default(10)
          .describe('How often every running runtime is sampled (CPU and memory per runtime, kernel and process), and its activity gathered for culling. At least 1.'),
        embedded_agent: z
          .boolean()
          .default(true)
          .describe('Run an agent inside the hub process for the runtimes on its machine (false: leave sampling to separate agents, `nbhub agent`).'),
        executions: z
          .boolean()
          .default(true)
          .describe(
            'Record cell executions from the kernel messages the proxy carries, with the CPU-seconds and peak memory of each (false: nothing is recorded, and the proxy reads kernel messages only as far as activity needs).',
          ),
        capture_code: z
          .boolean()
          .default(true)
          .describe("Keep each execution's code (up to max_code_bytes); false keeps only its sha256."),
        max_code_bytes: z
          .number()
          .int()
          .min(0)
          .max(16 * 1024 * 1024)
          .default(65_536)
          .describe("Longest code kept per execution (UTF-8 bytes); longer code is cut there (the hash is always of the whole code)."),
        pss: z
          .boolean()
          .default(false)
          .describe(
            'Report memory as PSS (shared pages split among processes) where readable, instead of RSS. Costly: reading it takes ~1 ms per idle kernel and ~7 ms per 500 MB one, each sweep (bench/monitoring).',
          ),
        pull_every_seconds: seconds(1, 'How often the hub asks each agent for new events (the in-process agent too).'),
        batch_size: z.number().int().min(1).max(50_000).default(20_000).describe('Events asked of an agent per request, and stored per transaction.'),
        pull_concurrency: z.number().int().min(1).max(1000).default(8).describe('Agents pulled at the same time, at most.'),
        pull_timeout_seconds: seconds(5, 'An agent that does not answer within this time is shown as unreachable (its runtimes as unknown) until it answers.'),
        lease_seconds: seconds(
          15,
          'Hub instances sharing one PostgreSQL split the agents by lease; the agents and servers of an instance that died (no heartbeat for this long) are taken over within this time.',
        ).refine((v) => v >= 1, 'must be at least 1'),
        instance_id: z
          .string()
          .default('')
          .describe('This hub instance, as agent leases and server owners name it. Empty: host name and port (a restarted instance takes its own agents and servers back at once).'),
        log_max_bytes: z
          .number()
          .int()
          .min(1 << 20)
          .default(256 << 20)
          .describe("Disk the in-process agent's event log may use (in data_dir/agent); past it the oldest samples are dropped and counted as lost."),
        retention: z
          .object({
            raw_days: seconds(2, 'Days raw samples are kept.'),
            minute_days: seconds(30, 'Days 1-minute rollups are kept.'),
            hour_days: seconds(400, 'Days 1-hour rollups are kept.'),
            day_days: seconds(1100, 'Days 1-day rollups (UTC days; what month-long and longer ranges read) are kept.'),
            executions_days: seconds(90, 'Days cell executions are kept (by start; running ones are kept).'),
            events_days: seconds(2, 'Days stored agent events are kept for GET /hub/api/events (usage rows follow the retentions above).'),
            audit_days: seconds(365, 'Days audit events (logins, admin actions; GET /hub/api/audit) are kept.'),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
    culling: cullingSchema.prefault({}),
    logs: z
      .object({ ...logFilesSchema, ship: shipSchema.prefault({}) })
      .strict()
      .prefault({})
      .describe('Output of each start of a runtime or app, kept in data_dir/logs and read through GET …/servers/{server}/logs.'),
    spawner: z.preprocess(
      spawnerShorthand,
      z
      .object({
        kind: z
          .enum(SPAWNER_KINDS)
          .default('local')
          .describe('Where runtimes run: local (child processes of the hub) or kubernetes (a pod and a claim each; see kubernetes.*). `spawner: kubernetes` is short for this key.'),
        default_profile: z.string().default('default').describe('Profile used when a start request names none.'),
        jupyter_env: z
          .string()
          .default('')
          .describe(
            'Python environment the default profile runs Jupyter from (scripts/install-deps.sh installs JupyterLab 4 there). Empty: $XDG_DATA_HOME/nbhub/jupyter, else ~/.local/share/nbhub/jupyter. Without JupyterLab there: jupyter-lab on PATH, then Debian\'s notebook, then jupyter server.',
          ),
      })
      .strict()
      .prefault({}),
    ),
    kubernetes: kubernetesSchema.prefault({}).describe('The cluster runtimes run on when spawner.kind is kubernetes.'),
    profiles: z
      .record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'profile names: lower-case letters, digits, _ and -'), profileSchema)
      .default({})
      .describe('Runtime profiles by name. A profile named default replaces the detected Jupyter one.'),
    spark: sparkSchema.prefault({}).describe('Spark clusters the hub starts (issue 19): see the spark.* keys.'),
    object_store: objectStoreSchema.prefault({}).describe('The S3-compatible object store Spark jobs take their application files from.'),
    services: servicesSchema
      .default([])
      .describe("Services, as JupyterHub's c.JupyterHub.services: a list of {name, url | command, environment, api_token, admin, display, info}; each reached at /services/{name}/ behind the hub's login. See the service keys below."),
  })
  .strict()
  .superRefine((c, ctx) => {
    // Busy runtimes are seen busy once per monitoring interval: a shorter timeout could stop one mid-computation.
    const min = 2 * c.monitoring.interval_seconds;
    const check = (value: number | undefined, path: string[]) => {
      if (value !== undefined && value > 0 && value < min) {
        ctx.addIssue({ code: 'custom', path, message: `must be 0 (off) or at least ${min} (twice monitoring.interval_seconds), so a busy runtime is seen busy before it is judged idle` });
      }
    };
    check(c.culling.idle_timeout_seconds, ['culling', 'idle_timeout_seconds']);
    check(c.culling.kernel_idle_timeout_seconds, ['culling', 'kernel_idle_timeout_seconds']);
    for (const [name, p] of Object.entries(c.profiles)) {
      check(p.culling.idle_timeout_seconds, ['profiles', name, 'culling', 'idle_timeout_seconds']);
      check(p.culling.kernel_idle_timeout_seconds, ['profiles', name, 'culling', 'kernel_idle_timeout_seconds']);
    }
    // A warning as long as the timeout would be shown from the last activity on: it would warn of nothing.
    // Only an explicit warn_seconds can be wrong: unset, it derives from each timeout (derivedWarnSeconds).
    const warn = c.culling.warn_seconds;
    const checkWarn = (enabled: boolean, timeout: number, key: string) => {
      if (warn !== undefined && enabled && timeout > 0 && warn >= timeout) {
        ctx.addIssue({ code: 'custom', path: ['culling', 'warn_seconds'], message: `must be less than ${key} (${timeout}), or users are warned as soon as they stop working; it is ${warn}` });
      }
    };
    checkWarn(c.culling.enabled, c.culling.idle_timeout_seconds, 'culling.idle_timeout_seconds');
    for (const [name, p] of Object.entries(c.profiles)) {
      if (p.culling.idle_timeout_seconds === undefined && p.culling.enabled === undefined) continue;
      checkWarn(p.culling.enabled ?? c.culling.enabled, p.culling.idle_timeout_seconds ?? c.culling.idle_timeout_seconds, `profiles.${name}.culling.idle_timeout_seconds`);
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ProfileConfig = z.infer<typeof profileSchema>;

/** Retention of each stored resolution, in days, as the usage store and queries name them. */
export const retentionDays = (m: Config['monitoring']): Record<Resolution, number> => ({
  raw: m.retention.raw_days,
  '1m': m.retention.minute_days,
  '1h': m.retention.hour_days,
  '1d': m.retention.day_days,
});
