/** How the console writes amounts of CPU and memory. */

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 1536 → "1.5 KiB"; '—' when unknown. */
export const bytes = (n: number | null | undefined): string => {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  let v = Math.max(0, n);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 100 ? Math.round(v) : v.toFixed(1)} ${BYTE_UNITS[i]}`;
};

/** A number with at most three significant digits, no exponent, no trailing zeros: 0.0123, 1.5, 123. */
export const short = (v: number): string => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(v));
  if (a < 0.001) return v > 0 ? '<0.001' : '>-0.001';
  return String(Number(v.toPrecision(3)));
};

/** CPU in use, in cores: "0.25 cores". */
export const cores = (n: number | null | undefined): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '—' : `${short(n)} ${n === 1 ? 'core' : 'cores'}`;

/** Consumed CPU time, in CPU-hours (cores × hours). */
export const cpuHours = (cpuSeconds: number): string => `${short(cpuSeconds / 3600)} CPU-h`;

/** A share of a total, "12%"; '—' when the total is zero. */
export const percent = (part: number, total: number): string => (total > 0 ? `${Math.round((part / total) * 100)}%` : '—');
