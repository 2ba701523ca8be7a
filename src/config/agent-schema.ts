import { z } from 'zod';

/**
 * Configuration of a separate agent (`nbhub agent --hub URL [--port N] [--data-dir DIR]`): flags, then
 * NBHUB_AGENT_* variables (NBHUB_AGENT_TOKEN: an admin's API token), validated once and frozen.
 */
export const agentConfigSchema = z
  .object({
    hub: z
      .string({ error: 'required: the hub URL, with --hub URL or NBHUB_AGENT_HUB' })
      .regex(/^https?:\/\/[^/]+/, 'must be the hub URL, http(s)://host[:port]')
      .describe('The hub to register with (--hub, or NBHUB_AGENT_HUB).'),
    token: z.string().min(1, 'required: an admin API token (`nbhub token create ADMIN`) in NBHUB_AGENT_TOKEN').describe('An admin API token, to register with the hub.'),
    ip: z.string().default('127.0.0.1').describe('Address the agent listens on (the hub pulls its events there).'),
    port: z.number().int().min(0).max(65_535).default(8001).describe('Port the agent listens on (--port).'),
    url: z
      .string()
      .default('')
      .refine((v) => v === '' || /^https?:\/\/[^/]+/.test(v), 'must be empty or http(s)://host[:port]')
      .describe('Where the hub reaches this agent. Empty: http://ip:port.'),
    data_dir: z.string().min(1).default('./nbhub-agent-data').describe('Where the event log and the agent identity live (--data-dir).'),
    max_log_bytes: z
      .number()
      .int()
      .min(1 << 20)
      .default(256 << 20)
      .describe('Disk the event log may use; past it the oldest samples are dropped and counted as lost.'),
    interval_seconds: z.number().min(0).max(3600).default(0).describe("Sampling interval. 0: the hub's monitoring.interval_seconds."),
    match: z
      .string()
      .default('')
      .refine((v) => {
        try {
          new RegExp(v);
          return true;
        } catch {
          return false;
        }
      }, 'must be a regular expression')
      .describe('Follow only the runtimes whose user/server matches this regular expression (empty: all of this hub’s).'),
    pss: z.boolean().default(false).describe('Report memory as PSS instead of RSS (costly, see monitoring.pss).'),
    kubernetes: z
      .object({
        node: z
          .string()
          .max(253)
          .default('')
          .describe(
            "Node mode (a DaemonSet): the node this agent runs on (set it from the downward API's spec.nodeName). Its hub's runtime pods on that node are followed, their processes found by cgroup (else by marker); empty: runtimes found by marker only.",
          ),
        namespace: z
          .string()
          .regex(/^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a Kubernetes namespace name (lower-case letters, digits and -)')
          .max(63)
          .default('')
          .describe("Node mode: the namespace of the runtime pods (the hub's kubernetes.namespace). Empty: the kubeconfig context's, in cluster the agent's own, else default."),
        kubeconfig: z.string().default('').describe("Node mode: the kubeconfig to read pods with. Empty: in cluster (the pod's service account)."),
        cgroup_root: z.string().min(1).default('/sys/fs/cgroup').describe("Node mode: where the host's cgroup hierarchies are mounted; each runtime's CPU and memory are read from its pod's cgroup there when readable."),
      })
      .strict()
      .prefault({})
      .describe('Node mode of the agent (on Kubernetes, one per node).'),
    log_level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log verbosity.'),
  })
  .strict();

export type AgentConfig = z.infer<typeof agentConfigSchema>;
export const AGENT_ENV_PREFIX = 'NBHUB_AGENT_';
