import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { CullScope } from '../../core/culling.js';
import type { Logger } from '../../core/logger.js';
import type { RuntimeClient } from '../../core/runtime-client.js';
import type { UsageSource } from '../../core/usage.js';
import { Culler } from '../../culler/culler.js';
import { policies } from '../../culler/policy.js';
import { ActivityProbe } from '../../culler/probe.js';
import { SamplingWatch, type RegisteredAgents } from '../../culler/sampling.js';
import { runtimeKernels } from '../../culler/runtime-kernels.js';

/** The culler as the hub runs it: activity gathered every monitoring interval, judged every culling.every_seconds. */
export const createCuller = (o: {
  config: Readonly<Config>;
  /** The servers this instance owns (the owner culls). */
  lifecycle: CullScope;
  /** The latest sweeps of every agent this instance pulls (the monitor). */
  usage: UsageSource;
  /** The registered agents: whether anything samples (SamplingWatch). */
  agents: RegisteredAgents;
  /** Kernels running a request, as the proxy saw (ProbeOptions.runningKernels); absent with recording off. */
  runningKernels?: ((user: string, server: string) => ReadonlySet<string>) | undefined;
  /** The runtimes' own API: their kernels, and shutting an idle one down. */
  runtimeApi: RuntimeClient;
  clock: Clock;
  log: Logger;
}): Culler => {
  const policyFor = policies(o.config.culling, o.config.profiles);
  const sparing = o.config.culling.spare_busy || Object.values(o.config.profiles).some((p) => p.culling.spare_busy === true);
  // Only where CPU would spare a runtime from culling does it matter that nothing samples it.
  const sampling = o.config.culling.enabled && sparing ? new SamplingWatch({ embedded: o.config.monitoring.embedded_agent, agents: o.agents, log: o.log }) : undefined;
  const { kernelsOf, shutdownKernel } = runtimeKernels(o.runtimeApi);
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
    sampling,
  });
};
