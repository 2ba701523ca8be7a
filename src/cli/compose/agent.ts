import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { SeedSource } from '../../core/events.js';
import type { IdGenerator } from '../../core/ids.js';
import type { RuntimeClient } from '../../core/runtime-client.js';
import type { Logger } from '../../core/logger.js';
import { Agent, type AgentOptions, type AgentSettings } from '../../agent/agent.js';
import { lockDir, reportedFile } from '../../agent/files.js';
import type { KnownRoot } from '../../agent/finder.js';
import { loadIdentity, type AgentIdentity } from '../../agent/identity.js';
import { cgroupUsageReader } from '../../agent/cgroup-usage.js';
import { RuntimeInsides } from '../../agent/insides.js';
import type { RuntimePods } from '../../agent/pods.js';
import { EventLog } from '../../agent/log/event-log.js';
import { procfsReader } from '../../agent/proc-reader.js';
import { inlineSweeper, SweepCore } from '../../agent/sweep.js';
import { WorkerSweeper } from '../../agent/worker-sweeper.js';

export interface OpenedAgent {
  identity: AgentIdentity;
  agent: Agent;
  log: EventLog;
  close(): Promise<void>;
}

/**
 * An agent on this machine with its log and identity in `dir`: the same parts for the hub's in-process
 * agent and for `nbhub agent`. Sweeps run in a worker thread unless `inline`.
 */
export const openAgent = (o: {
  dir: string;
  maxLogBytes: number;
  pss: boolean;
  clock: Clock;
  logger: Logger;
  ids: IdGenerator;
  idPrefix?: string;
  seeds: SeedSource;
  /** The runtimes' own API, for their sessions (which notebook each kernel serves). */
  runtimeApi: RuntimeClient;
  settings: (identity: AgentIdentity) => AgentSettings;
  known?: () => KnownRoot[];
  viaHub?: AgentOptions['viaHub'];
  inline?: boolean;
  /** Node mode: the runtime pods on this node, and where their cgroups are read. */
  node?: { pods: RuntimePods; cgroupRoot: string };
}): OpenedAgent => {
  mkdirSync(o.dir, { recursive: true });
  const unlock = lockDir(o.dir);
  try {
    const identity = loadIdentity(o.dir, o.ids, o.idPrefix);
    const log = EventLog.open(join(o.dir, 'log'), { maxBytes: o.maxLogBytes, clock: o.clock });
    const agent = new Agent({
      log,
      sweeper: o.inline
        ? inlineSweeper(new SweepCore(procfsReader, o.clock, { pss: o.pss, ...(o.node ? { cgroups: cgroupUsageReader(o.node.cgroupRoot) } : {}) }))
        : new WorkerSweeper({ pss: o.pss, ...(o.node ? { cgroupRoot: o.node.cgroupRoot } : {}) }),
      seeds: o.seeds,
      notebooksOf: (api) => o.runtimeApi.labelsByKernel(api),
      clock: o.clock,
      logger: o.logger,
      settings: () => o.settings(identity),
      known: o.known,
      viaHub: o.viaHub,
      reported: reportedFile(o.dir),
      ...(o.node ? { pods: o.node.pods } : {}),
      insides: new RuntimeInsides({ pss: o.pss }),
    });
    return {
      identity,
      agent,
      log,
      close: async () => {
        o.node?.pods.close();
        await agent.stop();
        log.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
};
