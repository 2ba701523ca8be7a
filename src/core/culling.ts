import type { ServerRecord, StopReason } from './models.js';
import type { ActivitySink } from './routes.js';
import type { RuntimeDirectory } from './usage.js';

/** The reasons the culler stops a runtime for. */
export type CullReason = Extract<StopReason, 'idle' | 'max_age'>;

/** When a running server will be stopped if nothing happens, and from when users are warned. */
export interface CullSchedule {
  cullAt: number;
  warnAt: number;
  reason: CullReason;
}

/** What the API shows of the culler's plans (`nbhub.cull_at` in the server model). */
export interface CullView {
  scheduleOf(rec: ServerRecord): CullSchedule | null;
}

/**
 * What the culler needs from the lifecycle reconciler: the servers, and a stop request that is
 * re-checked under the server's lock (`onlyIf`), so activity that arrives meanwhile wins.
 */
export interface CullTarget {
  all(): ServerRecord[];
  requestStop(
    user: string,
    name: string,
    o: { by: string; reason: StopReason; onlyIf?: (rec: ServerRecord) => boolean },
  ): Promise<ServerRecord | undefined>;
}

/**
 * What the culler judges and stops: the servers this instance owns (the owner culls), their runtimes, their
 * last activity, and the sink for the activity it gathers itself (busy kernels, CPU).
 */
export interface CullScope extends CullTarget, RuntimeDirectory, ActivitySink {
  get(user: string, name: string): Pick<ServerRecord, 'lastActivity'> | undefined;
}
