/** The time range of the usage page, kept in its address (?range=7d, or ?from=&to= in Unix seconds). */

export const PRESETS = [
  { key: '1h', label: 'Last hour', seconds: 3600, step: 60 },
  { key: '24h', label: 'Last day', seconds: 86_400, step: 600 },
  { key: '7d', label: 'Last 7 days', seconds: 7 * 86_400, step: 3600 },
  { key: '30d', label: 'Last 30 days', seconds: 30 * 86_400, step: 86_400 },
] as const;

export type PresetKey = (typeof PRESETS)[number]['key'];
export type UsageRange = { preset: PresetKey } | { from: number; to: number };

export const DEFAULT_RANGE: UsageRange = { preset: '24h' };

export const parseRange = (search: string): UsageRange => {
  const q = new URLSearchParams(search);
  const from = Number(q.get('from'));
  const to = Number(q.get('to'));
  if (q.get('from') && q.get('to') && Number.isInteger(from) && Number.isInteger(to) && from >= 0 && from < to) return { from, to };
  const preset = PRESETS.find((p) => p.key === q.get('range'));
  return preset ? { preset: preset.key } : DEFAULT_RANGE;
};

export const rangeSearch = (r: UsageRange): string => ('preset' in r ? `?range=${r.preset}` : `?from=${r.from}&to=${r.to}`);

const STEPS = [10, 30, 60, 120, 300, 600, 1800, 3600, 2 * 3600, 4 * 3600, 6 * 3600, 12 * 3600, 86_400, 7 * 86_400];

/** The finest step that keeps a chart of `seconds` under about 200 points. */
export const stepFor = (seconds: number): number => STEPS.find((s) => seconds / s <= 200) ?? 7 * 86_400;

/** The range in Unix seconds as of `now`, and its chart step. */
export const resolveRange = (r: UsageRange, now = Date.now()): { from: number; to: number; step: number } => {
  if ('preset' in r) {
    const preset = PRESETS.find((p) => p.key === r.preset) ?? PRESETS[1];
    const to = Math.floor(now / 1000);
    return { from: to - preset.seconds, to, step: preset.step };
  }
  return { from: r.from, to: r.to, step: stepFor(r.to - r.from) };
};

const pad = (n: number) => String(n).padStart(2, '0');

/** Unix seconds → the value of an <input type="datetime-local"> (local time, minutes). */
export const toLocalInput = (unix: number): string => {
  const d = new Date(unix * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** The value of an <input type="datetime-local"> → Unix seconds; undefined when empty or invalid. */
export const fromLocalInput = (value: string): number | undefined => {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return undefined;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};

/** "5 May 2025, 14:00 – 6 May 2025, 14:00" */
export const describeRange = (from: number, to: number): string => {
  const f = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return `${f.format(from * 1000)} – ${f.format(to * 1000)}`;
};
