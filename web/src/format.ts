import { hubNow } from './hubClock.js';
import type { RuntimeState, ServerModel } from './types.js';

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Infinity],
];

/** "3 minutes ago", for a timestamp from the API (the hub's clock); '—' when there is none. */
export const ago = (iso: string | null, now = hubNow()): string => {
  if (!iso) return '—';
  let value = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of STEPS) {
    if (Math.abs(value) < size) return rtf.format(Math.round(value), unit);
    value /= size;
  }
  return iso;
};

export const STATE_LABEL: Record<RuntimeState, string> = {
  stopped: 'stopped',
  pending: 'starting',
  running: 'running',
  stopping: 'stopping',
  failed: 'failed',
};

const REASONS: Record<string, string> = {
  user: 'by its owner',
  admin: 'by an admin',
  failed: 'after a failure',
  idle: 'after being idle',
  max_age: 'at its maximum age',
  shutdown: 'when the hub shut down',
  timeout: 'after not becoming ready in time',
};

/** Why a stopped server stopped, in words; undefined when it never ran or the reason is unknown. */
export const stopReason = (s: ServerModel): string | undefined => {
  const r = s.nbhub.stop_reason;
  // A failed server says why in its failure details instead.
  if (!r || s.nbhub.state !== 'stopped') return undefined;
  return `Stopped ${REASONS[r] ?? `(${r})`}${s.nbhub.stopped_at ? ` ${ago(s.nbhub.stopped_at)}` : ''}`;
};

export const displayName = (server: string): string => (server === '' ? 'default' : server);

/** "4:05" (minutes:seconds), or "1:02:03" past an hour; never negative. */
export const countdown = (ms: number): string => {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
};

/** Why a server stopped (or will), in words, from its stop reason. */
export const reasonWords = (reason: string | null): string => (reason ? (SHORT_REASONS[reason] ?? reason) : '');

const SHORT_REASONS: Record<string, string> = {
  user: 'asked by its owner',
  admin: 'asked by an admin',
  failed: 'failed',
  idle: 'idle',
  max_age: 'maximum age reached',
  shutdown: 'the hub shut down',
  timeout: 'not ready in time',
};

/** Who or what caused a start or stop, in words. */
export const causeWords = (by: string | null): string => {
  if (by === null) return '—';
  return CAUSES[by] ?? by;
};

const CAUSES: Record<string, string> = { culler: 'the culler', hub: 'the hub', runtime: 'the runtime itself' };
