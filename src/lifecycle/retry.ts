/** How many times one start is tried when its runtime keeps losing a race for a resource (issue 13). */
export const START_ATTEMPTS = 3;

export type RetryVerdict = { kind: 'relaunch'; attempt: number } | { kind: 'fail'; note: string | null };

/**
 * What to do with a runtime that did not become ready (pure). One that lost a race (`lost`: the spawner's
 * account, e.g. its port taken by another process between the choice and its bind) is started again as
 * the next attempt, so the user sees the start go on instead of a failure; one that failed on its own
 * (`lost` null) fails. Bounded: after `attempts` tries, or once no start time remains, it fails with a
 * note saying why. The start timeout counts from the first attempt, so however many attempts it takes,
 * the user waits no longer than the timeout they configured (and its message stays true).
 */
export const afterEarlyExit = (o: { lost: string | null; attempt: number; remainingMs: number; attempts?: number }): RetryVerdict => {
  if (o.lost === null) return { kind: 'fail', note: null };
  const attempts = o.attempts ?? START_ATTEMPTS;
  if (o.attempt >= attempts) return { kind: 'fail', note: `It lost a race on each of ${attempts} attempts to start it (the last: ${o.lost}).` };
  if (o.remainingMs <= 0) return { kind: 'fail', note: `It lost a race (${o.lost}), and no start time remained to start it again.` };
  return { kind: 'relaunch', attempt: o.attempt + 1 };
};
