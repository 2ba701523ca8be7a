import { join } from 'node:path';
import { openAgent, type OpenedAgent } from './agent.js';
import { inProcessDoor } from '../../agent/local-door.js';
import { LocalEventSource } from '../../agent/local-source.js';
import type { Config } from '../../config/schema.js';
import { retentionDays } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { RuntimeClient } from '../../core/runtime-client.js';
import type { ProcessDoor } from '../../core/process-door.js';
import type { Store } from '../../core/store.js';
import type { RuntimeDirectory } from '../../core/usage.js';
import { agentPodPresence } from '../../kube/agent-pods.js';
import { loadKube } from '../../kube/config.js';
import { HttpAgentClient } from '../../monitor/agent-client.js';
import { Monitor } from '../../monitor/monitor.js';
import { RemoteProcessDoor } from '../../monitor/remote-door.js';
import { storeSeeds } from '../../monitor/store-seeds.js';

export interface Monitoring {
  monitor: Monitor;
  local: OpenedAgent | null;
  /** The door to the runtimes' processes: the in-process agent, else the separate agents' API. */
  processes: ProcessDoor;
  /** Registers the in-process agent and starts sampling and pulling. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The hub's monitoring: the monitor that pulls every agent it holds a lease on, and (monitoring.embedded_agent)
 * an agent in this process for the runtimes on this machine, read through the same log and monitor code.
 */
export const createMonitoring = (o: {
  config: Readonly<Config>;
  store: Store;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  hubId: string;
  /** This instance, as leases name it (instance-id.ts). */
  instance: string;
  runtimes: RuntimeDirectory;
  runtimeApi: RuntimeClient;
}): Monitoring => {
  const m = o.config.monitoring;
  const local = m.embedded_agent
    ? openAgent({
        dir: join(o.config.data_dir, 'agent'),
        maxLogBytes: m.log_max_bytes,
        pss: m.pss,
        clock: o.clock,
        logger: o.log,
        ids: o.ids,
        idPrefix: 'hub-',
        seeds: storeSeeds(o.store),
        runtimeApi: o.runtimeApi,
        settings: () => ({ hubId: o.hubId, intervalSeconds: m.interval_seconds, match: null }),
        // The hub's own runtimes, also those started before runtimes were marked with the hub's id.
        known: () =>
          o.runtimes.running().flatMap((r) =>
            r.rootPid === null ? [] : [{ user: r.user, server: r.server, rootPid: r.rootPid, api: { target: r.target, baseUrl: r.baseUrl, token: r.token } }],
          ),
      })
    : null;
  // On Kubernetes the node agents are pods: the hub watches them, and an agent whose pod is gone is not pulled.
  const k = o.config.kubernetes;
  const target = o.config.spawner.kind === 'kubernetes' ? loadKube(k, { env: process.env }) : null;
  const presence = target ? agentPodPresence(target.kubeConfig, { namespace: target.namespace, hubId: o.hubId, log: o.log }) : undefined;
  const monitor = new Monitor({
    store: o.store,
    clock: o.clock,
    log: o.log,
    instance: o.instance,
    settings: {
      intervalSeconds: m.interval_seconds,
      pullEveryMs: m.pull_every_seconds * 1000,
      batchSize: m.batch_size,
      concurrency: m.pull_concurrency,
      leaseMs: m.lease_seconds * 1000,
      timeoutMs: m.pull_timeout_seconds * 1000,
      retentionDays: retentionDays(m),
      eventsRetentionDays: m.retention.events_days,
    },
    connect: (rec) => new HttpAgentClient(rec.url as string, rec.secret ?? '', m.pull_timeout_seconds * 1000),
    local: local ? { id: local.identity.id, source: new LocalEventSource(local.agent) } : undefined,
    presence,
  });
  const processes = local
    ? inProcessDoor(local.agent)
    : new RemoteProcessDoor({
        agents: o.store.agents,
        reporterOf: (user, server) => monitor.reporterOf(user, server),
        connect: (rec) => new HttpAgentClient(rec.url as string, rec.secret ?? '', m.pull_timeout_seconds * 1000),
        clock: o.clock,
        log: o.log,
      });
  return {
    monitor,
    local,
    processes,
    start: async () => {
      if (local) await o.store.agents.register({ id: local.identity.id, url: null, secret: null, at: o.clock.now() });
      local?.agent.start();
      await monitor.start();
    },
    close: async () => {
      // The monitor first: it may be reading the in-process agent's log.
      await monitor.stop();
      await local?.close();
    },
  };
};
