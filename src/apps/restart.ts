/** When a named app that died by itself is started again (pure): backoff for an app that keeps dying. */

/** An app that ran this long before it died was working: its next death starts the count again. */
export const STABLE_MS = 60_000;
/** Deaths in a row, each soon after its start, before the app is left failed (until asked for again). */
export const MAX_QUICK_DEATHS = 5;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;

export type RestartVerdict = { kind: 'restart'; delayMs: number; quickDeaths: number } | { kind: 'give-up'; quickDeaths: number };

/**
 * `ranMs`: how long the app ran before it died; `quickDeaths`: its deaths in a row so far, each before
 * STABLE_MS. An app that had been running a while is started again at once (after FIRST_DELAY_MS); one that
 * keeps dying soon after starting waits twice as long each time, up to MAX_DELAY_MS, and after
 * MAX_QUICK_DEATHS is left failed: starting it again would only repeat its error.
 */
export const afterAppExit = (o: { ranMs: number; quickDeaths: number }): RestartVerdict => {
  const quickDeaths = o.ranMs >= STABLE_MS ? 1 : o.quickDeaths + 1;
  if (quickDeaths > MAX_QUICK_DEATHS) return { kind: 'give-up', quickDeaths };
  return { kind: 'restart', delayMs: Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (quickDeaths - 1)), quickDeaths };
};
