/** How a process the hub keeps running (a managed service, a named app) is restarted when it keeps dying: quickly at first, then less and less often. */
export interface BackoffPolicy {
  /** Delay before the first restart. */
  initialMs: number;
  /** Longest delay between restarts. */
  maxMs: number;
  /** A process that ran this long counts as healthy: its death starts the delays over. */
  healthyAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 60_000, healthyAfterMs: 60_000 };

export interface RestartDecision {
  delayMs: number;
  /** Deaths in a row without a healthy run, this one included: the next decision's input. */
  failures: number;
}

/**
 * Pure: when to restart a process that just exited, from the deaths before it and how long it ran. The delay
 * doubles with each quick death (a crash loop must not spin the machine) and starts over after a healthy run.
 */
export const restartDelay = (previousFailures: number, ranMs: number, p: BackoffPolicy = DEFAULT_BACKOFF): RestartDecision => {
  const before = ranMs >= p.healthyAfterMs ? 0 : Math.max(0, previousFailures);
  // 2 ** 30 already exceeds any sensible max; capping the exponent keeps the number finite.
  const delayMs = Math.min(p.maxMs, p.initialMs * 2 ** Math.min(before, 30));
  return { delayMs, failures: before + 1 };
};
