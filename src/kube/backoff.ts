/**
 * Delay before the n-th consecutive retry (n from 0): exponential from `baseMs`, capped at `capMs`, with
 * "full jitter" (a random share of it) so that many watchers cut off together do not come back together.
 */
export const backoffDelay = (attempt: number, random: () => number, baseMs = 500, capMs = 30_000): number => {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  // Never less than half: a flapping API server still gets some rest between attempts.
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
};
