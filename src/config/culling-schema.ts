import { z } from 'zod';
import { USER_NAME_PATTERN } from '../core/names.js';

/**
 * The culling keys (issue 5), apart from schema.ts so the global keys and a profile's overrides share one
 * definition. 0 turns a timeout off.
 */
const seconds = (def: number, description: string) => z.number().min(0).max(86_400 * 365).default(def).describe(description);

const idle = (def: number) =>
  seconds(
    def,
    "A running runtime with no activity for this long is stopped, keeping its files (0: never). Activity: requests through the proxy that change something, kernel execution and input, terminal input, a busy kernel, the runtime's processes at culling.busy_cpu_cores. A tab that only polls is not activity. A runtime whose kernels or CPU cannot be read is not taken for idle; after a hub restart, running runtimes get one whole timeout from the restart.",
  );
const maxAge = () => seconds(0, 'A runtime is stopped this long after it started, busy or not (0: no limit).');
const spareBusy = () =>
  z.boolean().default(true).describe("A busy kernel, or the runtime's processes using at least culling.busy_cpu_cores, counts as activity (false: only what the user does through the proxy counts).");
const busyCpu = () =>
  z
    .number()
    .gt(0)
    .max(1024)
    .default(0.1)
    .describe(
      "CPU (cores, averaged between two monitoring samples) at which a runtime counts as busy: all its processes together, children that already ended included (a short build in a terminal), its own server process left out (serving a polling tab costs it CPU). Read from what the agents sample (the embedded one, or separate ones: nbhub agent): with monitoring.embedded_agent false and no agent registered it has no effect (the hub warns).",
    );
const kernelIdle = () =>
  seconds(0, 'Inside a running runtime, a kernel idle this long is shut down to free its memory while the server stays up (0: never). Connected kernels too: an open tab does not keep an idle kernel.');
const enabled = () => z.boolean().default(true).describe('Stop idle runtimes (and, with kernel_idle_timeout_seconds, idle kernels).');

export const cullingSchema = z
  .object({
    enabled: enabled(),
    idle_timeout_seconds: idle(3600),
    every_seconds: z.number().min(1).max(86_400).default(60).describe('How often every running runtime is judged (its activity is gathered every monitoring.interval_seconds).'),
    max_age_seconds: maxAge(),
    spare_busy: spareBusy(),
    busy_cpu_cores: busyCpu(),
    kernel_idle_timeout_seconds: kernelIdle(),
    warn_seconds: z
      .number()
      .min(0)
      .max(86_400 * 365)
      .optional()
      .describe(
        'How long before a runtime is stopped the server model (nbhub.cull_warn_at) and the console warn about it. Unset: a quarter of the idle timeout that applies, at most 300 s. Set: must be less than every idle timeout (global and per profile).',
      ),
    exempt_users: z
      .array(z.string().regex(new RegExp(USER_NAME_PATTERN), 'user names: lower-case letters, digits, _ . -'))
      .default([])
      .describe('Users whose runtimes are never stopped by the culler (kernel culling spares them too).'),
  })
  .strict();

/** What a profile may override (`profiles.<name>.culling`); unset keys follow the global `culling.*`. */
export const cullingOverrideSchema = z
  .object({
    enabled: z.boolean().optional().describe('Overrides culling.enabled for this profile.'),
    idle_timeout_seconds: z.number().min(0).max(86_400 * 365).optional().describe('Overrides culling.idle_timeout_seconds.'),
    max_age_seconds: z.number().min(0).max(86_400 * 365).optional().describe('Overrides culling.max_age_seconds.'),
    spare_busy: z.boolean().optional().describe('Overrides culling.spare_busy.'),
    busy_cpu_cores: z.number().gt(0).max(1024).optional().describe('Overrides culling.busy_cpu_cores.'),
    kernel_idle_timeout_seconds: z.number().min(0).max(86_400 * 365).optional().describe('Overrides culling.kernel_idle_timeout_seconds.'),
  })
  .strict();

/** The warning lead when culling.warn_seconds is not set: derived from the timeout, so no valid timeout is made invalid by a default. */
export const derivedWarnSeconds = (idleTimeoutSeconds: number): number => Math.min(300, idleTimeoutSeconds / 4);

export type CullingConfig = z.infer<typeof cullingSchema>;
export type CullingOverride = z.infer<typeof cullingOverrideSchema>;
