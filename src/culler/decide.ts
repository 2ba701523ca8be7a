import type { CullReason, CullSchedule } from '../core/culling.js';
import type { ServerState } from '../core/models.js';
import type { CullPolicy } from './policy.js';

/** What the decision knows of a server. `lastActivity` already holds every source the policy counts. */
export interface ServerActivity {
  state: ServerState;
  /** When the runtime was launched (max age counts from here). */
  started: number | null;
  lastActivity: number | null;
}

/** `stop` carries the deadline that passed, so what the API shows stays true until the stop is done. */
export type Verdict = { kind: 'keep'; schedule: CullSchedule | null } | { kind: 'stop'; reason: CullReason; schedule: CullSchedule };

const KEEP: Verdict = { kind: 'keep', schedule: null };

/**
 * The culler's pure decision (DESIGN.md: culler/ decides, lifecycle/ acts): a running server is stopped
 * once its idle deadline or its maximum age has passed; otherwise the earlier of the two is when it will
 * be. When both have passed, the reason is the one whose deadline came first.
 */
export const decideCull = (a: ServerActivity, policy: CullPolicy, now: number): Verdict => {
  if (!policy.enabled || a.state !== 'running' || a.started === null) return KEEP;
  const deadlines: Array<{ at: number; reason: CullReason }> = [];
  if (policy.maxAgeMs > 0) deadlines.push({ at: a.started + policy.maxAgeMs, reason: 'max_age' });
  if (policy.idleTimeoutMs > 0) deadlines.push({ at: Math.max(a.lastActivity ?? 0, a.started) + policy.idleTimeoutMs, reason: 'idle' });
  if (deadlines.length === 0) return KEEP;
  const first = deadlines.reduce((x, y) => (y.at < x.at ? y : x));
  const schedule = { cullAt: first.at, warnAt: first.at - policy.warnMs, reason: first.reason };
  return first.at <= now ? { kind: 'stop', reason: first.reason, schedule } : { kind: 'keep', schedule };
};
