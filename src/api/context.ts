import type { Config } from '../config/schema.js';
import type { CachedIdentityResolver } from '../accounts/identity-resolver.js';
import type { Clock } from '../core/clock.js';
import type { CullView } from '../core/culling.js';
import type { IdGenerator } from '../core/ids.js';
import type { KernelControlSink } from '../core/kernel-tap.js';
import type { Logger } from '../core/logger.js';
import type { ProcessDoor } from '../core/process-door.js';
import type { ExecutionTracker } from '../core/executions.js';
import type { Store } from '../core/store.js';
import type { UsageSource } from '../core/usage.js';
import type { Lifecycle } from '../lifecycle/lifecycle.js';
import type { Monitor } from '../monitor/monitor.js';

/** Everything the routes use, passed in once by the CLI. */
export interface ApiContext {
  config: Readonly<Config>;
  store: Store;
  lifecycle: Lifecycle;
  identity: CachedIdentityResolver;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Names of the configured profiles, with display names, for the console. */
  profiles: Array<{ name: string; display_name: string; error?: string }>;
  /** Built console (web/dist), or null when it was not built. */
  webDir: string | null;
  /** The latest sweep of the runtimes this instance monitors (null only before monitoring has started). */
  usage: UsageSource | null;
  /** The door to the runtimes' processes (lists and signals), through the agent beside each runtime. */
  processes: ProcessDoor;
  /** The monitor: which agents this instance pulls, and what it knows of them. */
  monitor: Monitor | null;
  /** This installation's id (runtimes are marked with it; agents learn it at registration). */
  hubId: string;
  /** Told of kernel interrupts, restarts and shutdowns asked through the hub's API (execution history). */
  kernelControl?: KernelControlSink | undefined;
  /** When each running server will be culled (`nbhub.cull_at`). */
  culling: CullView;
  /** The execution recorder, or null when monitoring.executions is off. */
  executions: ExecutionTracker | null;
  version: string;
}
