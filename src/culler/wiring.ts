import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { CullScope } from '../core/culling.js';
import type { Logger } from '../core/logger.js';
import type { UsageSource } from '../core/usage.js';
import { Culler } from './culler.js';
import { policies } from './policy.js';
import { ActivityProbe } from './probe.js';
import { kernelsOf, shutdownKernel } from './runtime-kernels.js';

/** The culler as the hub runs it: activity gathered every monitoring interval, judged every culling.every_seconds. */
export const createCuller = (o: {
  config: Readonly<Config>;
  /** The servers this instance owns (the owner culls). */
  lifecycle: CullScope;
  usage: UsageSource | null;
  /** Kernels running a request, as the proxy saw (ProbeOptions.runningKernels); absent with recording off. */
  runningKernels?: ((user: string, server: string) => ReadonlySet<string>) | undefined;
  clock: Clock;
  log: Logger;
}): Culler => {
  const policyFor = policies(o.config.culling, o.config.profiles);
  const sparing = o.config.culling.spare_busy || Object.values(o.config.profiles).some((p) => p.culling.spare_busy === true);
  if (o.usage === null && o.config.culling.enabled && sparing) {
    o.log.warn(
      { key: 'culling.busy_cpu_cores' },
      'culling.busy_cpu_cores has no effect: monitoring.embedded_agent is false, so the hub reads no CPU; a runtime busy only with processes (no busy kernel, no user activity) will be culled as idle',
    );
  }
  const probe = new ActivityProbe({
    runtimes: o.lifecycle,
    usage: o.usage,
    sink: o.lifecycle,
    lastActivityOf: (user, server) => o.lifecycle.get(user, server)?.lastActivity ?? null,
    policyFor,
    clock: o.clock,
    log: o.log,
    kernelsOf,
    runningKernels: o.runningKernels,
  });
  return new Culler({
    target: o.lifecycle,
    runtimes: o.lifecycle,
    probe,
    policyFor,
    clock: o.clock,
    log: o.log,
    everySeconds: o.config.culling.every_seconds,
    probeSeconds: o.config.monitoring.interval_seconds,
    shutdownKernel,
  });
};
