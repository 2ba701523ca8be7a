// When a named app that died by itself is started again (pure): backoff for an app that keeps dying.
import { restartDelay, type BackoffPolicy } from '../core/restart-backoff.js';

/** An app that ran this long before it died was working: its next death starts the count again. */
export const STABLE_MS = 60_000;
/** Deaths in a row, each soon after its start, before the app is left failed (until asked for again). */
export const MAX_QUICK_DEATHS = 5;
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 30_000;
const APP_BACKOFF: BackoffPolicy = { initialMs: FIRST_DELAY_MS, maxMs: MAX_DELAY_MS, healthyAfterMs: STABLE_MS };

export type RestartVerdict = { kind: 'restart'; delayMs: number; quickDeaths: number } | { kind: 'give-up'; quickDeaths: number };

/**
 * `ranMs`: how long the app ran before it died; `quickDeaths`: its deaths in a row so far, each before
 * STABLE_MS. The delay is a managed service's backoff (core/restart-backoff.ts): an app that had been running a
 * while is started again after FIRST_DELAY_MS; one that keeps dying soon after starting waits twice as long
 * each time, up to MAX_DELAY_MS, and after MAX_QUICK_DEATHS is left failed: starting it again would only repeat
 * its error.
 */
export const afterAppExit = (o: { ranMs: number; quickDeaths: number }): RestartVerdict => {
  const { delayMs, failures: quickDeaths } = restartDelay(o.quickDeaths, o.ranMs, APP_BACKOFF);
  if (quickDeaths > MAX_QUICK_DEATHS) return { kind: 'give-up', quickDeaths };
  return { kind: 'restart', delayMs, quickDeaths };
};
