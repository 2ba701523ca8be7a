// Printing: the conditions of the run, aligned tables, target verdicts, and one machine-readable line per
// target (`BENCH_RESULT {...}`) that bench/run.js collects into its summary.
import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { cmdline, markedProcesses } from './proc.mjs';

const otherBusyProcesses = () => {
  // Processes not started by this bench that look like competing load (another hub, jupyter, tests).
  const mine = new Set(markedProcesses().map((p) => p.pid));
  const out = [];
  for (const name of readdirSafe('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid || mine.has(Number(name))) continue;
    const cmd = cmdline(Number(name)).join(' ');
    if (/nbhub|jupyter|vitest|configurable-http-proxy|tsc|eslint/.test(cmd) && !/bench\/(run\.js|[\w-]+\.mjs)/.test(cmd) && !/^(grep|sed|awk|tail|head) /.test(cmd)) out.push(`${name} ${cmd.slice(0, 110)}`);
  }
  return out;
};
const readdirSafe = (d) => {
  try {
    return readdirSync(d);
  } catch {
    return [];
  }
};

export const banner = (title, description) => {
  const cpu = cpus();
  console.log(`\n=== ${title} ===`);
  if (description) console.log(description);
  console.log(
    `conditions: ${cpu.length} cores (${cpu[0]?.model?.trim() ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GB RAM, ` +
      `Node ${process.version}, loopback only (127.0.0.1); the load generator runs on the same machine ` +
      `(one Node process, about one core), so every figure includes it competing for CPU.`,
  );
  console.log(`load average at start: ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  const others = otherBusyProcesses();
  if (others.length) {
    console.log(`note: ${others.length} other hub/jupyter/test process(es) not started by this bench are running (figures may be noisy):`);
    for (const o of others.slice(0, 6)) console.log(`  ${o}`);
  }
};

export const fmt = (v, digits = 0) => (Number.isFinite(v) ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(v));
export const ms = (v) => (Number.isFinite(v) ? `${v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0)} ms` : String(v));

/** Prints rows (arrays of cells) as an aligned table; the first row is the header. */
export const table = (rows) => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  for (const [n, r] of rows.entries()) {
    console.log('  ' + r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('   '));
    if (n === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('   '));
  }
};

/**
 * Prints one target line and its BENCH_RESULT record.
 * target('proxy-http', 'nbhub req/s vs CHP', '2.31x', '>= 2x', true, {extra})
 */
export const target = (bench, name, measured, wanted, ok, extra = {}) => {
  const verdict = ok ? 'PASS' : 'MISS';
  console.log(`TARGET ${name}: ${measured} (target ${wanted}) -> ${verdict}`);
  console.log(`BENCH_RESULT ${JSON.stringify({ bench, target: name, measured, wanted, verdict, ...extra })}`);
  return ok;
};

export const info = (bench, name, measured) => {
  console.log(`BENCH_RESULT ${JSON.stringify({ bench, target: name, measured, wanted: '', verdict: 'INFO' })}`);
};
