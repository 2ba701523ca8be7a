// Interleaved comparison: round after round, every way once (A B C A B C …), each phase started on a quiet
// machine when possible and accounted for background CPU; the figures are medians over rounds, so a
// burst of foreign load hurts one sample rather than one way.
import { waitQuiet, withCpu } from './cpu.mjs';
import { median } from './load.mjs';
import { fmt, ms } from './report.mjs';

/**
 * ways: [{ name, ... }]; run(way) → { rate, latency: {p50, p99}, errors }.
 * Returns { [name]: { rate, p50, p99, errors, bgCores, samples } }.
 */
export const compareWays = async ({ ways, rounds, run, unit = 'req/s', label = '' }) => {
  const samples = Object.fromEntries(ways.map((w) => [w.name, []]));
  const width = Math.max(...ways.map((w) => w.name.length));
  for (let round = 1; round <= rounds; round++) {
    for (const w of ways) {
      await waitQuiet();
      // w.pid: the process whose CPU cost per request/message is reported (the proxy, or the backend when direct)
      const r = await withCpu(() => run(w), w.pid ? [w.pid] : []);
      const count = (r.requests ?? r.messages) + (r.warmupCount ?? 0);
      r.cpuUsPer = w.pid && count ? (r.pidCpu[0] * 1e6) / count : NaN;
      samples[w.name].push(r);
      const per = Number.isFinite(r.cpuUsPer) ? `   ${w.cpuLabel ?? 'CPU'} ${r.cpuUsPer.toFixed(0)} µs each` : '';
      const bad = r.errors ? `  errors ${r.errors}${r.statuses ? ' ' + JSON.stringify(r.statuses) : ''}` : '';
      console.log(
        `${label}round ${round} ${w.name.padEnd(width)} ${fmt(r.rate).padStart(7)} ${unit}   p50 ${ms(r.latency.p50)}   p99 ${ms(r.latency.p99)}   ` +
          `(background CPU ${r.cpu.bgCores.toFixed(2)} cores)${per}${bad}`,
      );
    }
  }
  return Object.fromEntries(
    ways.map((w) => {
      const rs = samples[w.name];
      return [
        w.name,
        {
          rate: median(rs.map((r) => r.rate)),
          p50: median(rs.map((r) => r.latency.p50)),
          p99: median(rs.map((r) => r.latency.p99)),
          errors: rs.reduce((a, r) => a + (r.errors ?? 0), 0),
          bgCores: median(rs.map((r) => r.cpu.bgCores)),
          cpuUsPer: median(rs.map((r) => r.cpuUsPer)),
          samples: rs.map((r) => Math.round(r.rate)),
        },
      ];
    }),
  );
};
