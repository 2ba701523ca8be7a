/**
 * The start page's reading of the progress stream (`…/progress`, JupyterHub's events): pure, so the page only
 * draws what this returns.
 */

/** One event as the hub sends it: JupyterHub's fields, nbhub's under `nbhub`. */
export interface ProgressEvent {
  progress: number;
  message: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
  nbhub?: { line?: string };
}

export interface StartView {
  progress: number;
  /** The hub's latest word on the start ("Server requested", …). */
  message: string;
  /** What the runtime printed while starting, oldest first (the last MAX_LINES). */
  lines: string[];
  /** Where to go once ready. */
  readyUrl: string | null;
  /** Why it did not start (the failed event's message). */
  failed: string | null;
}

export const MAX_LINES = 500;

export const initialView: StartView = { progress: 0, message: 'Connecting…', lines: [], readyUrl: null, failed: null };

export const applyEvent = (v: StartView, e: ProgressEvent): StartView => {
  const progress = Math.max(v.progress, Math.min(100, e.progress));
  const line = e.nbhub?.line;
  if (line !== undefined) return { ...v, progress, lines: [...v.lines, line].slice(-MAX_LINES) };
  if (e.ready) return { ...v, progress: 100, message: e.message, readyUrl: e.url ?? null };
  if (e.failed) return { ...v, progress: 100, message: e.message, failed: e.message };
  return { ...v, progress, message: e.message };
};

/**
 * Where the page goes once the server is ready: `next` (the address that led here, e.g. a notebook's) when it
 * is a path under the server's own, else the server's URL. Nothing from the address bar leads off this hub.
 */
export const landing = (readyUrl: string, next: string | null): string => {
  // Dot segments (plain or encoded) could climb out of the server's path.
  if (next === null || !next.startsWith('/') || next.startsWith('//') || next.includes('\\') || /\/\.|%2e/i.test(next)) return readyUrl;
  const base = readyUrl.endsWith('/') ? readyUrl : `${readyUrl}/`;
  return next === base.slice(0, -1) || next.startsWith(base) ? next : readyUrl;
};
