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

/** A memory axis' tick: as bytes(), without a trailing ".0" (round ticks read "20 MiB", "1.5 GiB"). */
export const bytesTick = (n: number): string => bytes(n).replace(/\.0 /, ' ');

/** A number with at most three significant digits, no exponent, no trailing zeros: 0.0123, 1.5, 123. */
export const short = (v: number): string => {
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 100) return String(Math.round(v));
  if (a < 0.001) return v > 0 ? '<0.001' : '>-0.001';
  return String(Number(v.toPrecision(3)));
};

/** CPU in use, in cores: "0.25 cores". */
export const cores = (n: number | null | undefined): string => {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  // The number as written decides the word: 0.9996 is written "1", so "1 core".
  const v = short(n);
  return `${v} ${v === '1' ? 'core' : 'cores'}`;
};

/** Below this, consumed CPU reads in CPU-seconds; from it on, in CPU-hours (core-hours). */
const CPU_HOUR = 3600;

/**
 * Consumed CPU time, the one way every page writes it (issue 17): CPU-seconds below one CPU-hour, CPU-hours
 * (cores × hours) from there: "12.3 CPU-s", "4.5 CPU-h"; '—' when unknown. CSV columns say the same units
 * (cpu_seconds, cpu_hours).
 */
export const cpuTime = (cpuSeconds: number | null | undefined): string => {
  if (cpuSeconds === null || cpuSeconds === undefined || !Number.isFinite(cpuSeconds)) return '—';
  return Math.abs(cpuSeconds) < CPU_HOUR ? `${short(cpuSeconds)} CPU-s` : `${short(cpuSeconds / CPU_HOUR)} CPU-h`;
};

/** Steps of a memory axis, in its binary unit (KiB, MiB, GiB…): 0.25 GiB is 256 MiB, written so. */
const BINARY_STEPS = [0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100, 200, 250, 500];

/**
 * Round ticks of a memory axis from 0 to at least `max` bytes, about `count` of them: multiples of a round
 * step of the binary unit `max` is in (200 MiB, 400 MiB…; 512 MiB, 1 GiB, 1.5 GiB…). The last one is the axis' top.
 */
export const binaryTicks = (max: number, count = 4): number[] => {
  const top = Number.isFinite(max) && max > 0 ? max : 1;
  let unit = 1;
  while (unit * 1024 <= top && unit < 1024 ** 5) unit *= 1024;
  const raw = top / unit / count;
  const step = (BINARY_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 1000) * 1000) * unit;
  const n = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: n + 1 }, (_, i) => i * step);
};

/** A share of a total, "12%"; '—' when the total is zero. */
export const percent = (part: number, total: number): string => (total > 0 ? `${Math.round((part / total) * 100)}%` : '—');
