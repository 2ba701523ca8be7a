import { displayName } from '../format.js';
import { serverPagePath } from '../router.js';
import { sumCpu, type TotalsRow } from '../usageTotals.js';
import { bytes, cores, cpuTime, percent } from '../units.js';
import { Link } from './Link.js';

/** Totals over a range, by user or by server: CPU (units.ts cpuTime), average cores, share of all CPU, peak memory; then their sum. */
export const TotalsTable = (p: { rows: TotalsRow[]; byServer: boolean; seconds: number; testid: string }) => {
  const all = sumCpu(p.rows.map((r) => r.cpuSeconds));
  if (p.rows.length === 0) return <p class="muted" data-testid={`${p.testid}-empty`}>No usage in this range.</p>;
  return (
    <table class="servers" data-testid={p.testid}>
      <thead>
        <tr>
          <th>User</th>
          {p.byServer && <th>Server</th>}
          <th class="num">CPU</th>
          <th class="num">Average</th>
          <th class="num">Share</th>
          <th class="num">Peak memory</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => (
          <tr key={`${r.user}/${r.server ?? ''}`} data-testid={`${p.testid}-row`} data-user={r.user} data-server={r.server}>
            <td data-testid="usage-user">{r.user}</td>
            {p.byServer && (
              <td>
                <Link href={serverPagePath(r.user, r.server ?? '')}>{displayName(r.server ?? '')}</Link>
              </td>
            )}
            <td class="num" data-testid="usage-cpu">
              {cpuTime(r.cpuSeconds)}
            </td>
            <td class="num">{cores(p.seconds > 0 ? r.cpuSeconds / p.seconds : null)}</td>
            <td class="num">{percent(r.cpuSeconds, all)}</td>
            <td class="num" data-testid="usage-memory">
              {bytes(r.peakMemory)}
            </td>
          </tr>
        ))}
      </tbody>
      {p.rows.length > 1 && (
        <tfoot>
          <tr data-testid={`${p.testid}-total`}>
            <th colSpan={p.byServer ? 2 : 1}>All</th>
            <td class="num" data-testid="usage-cpu-total">
              {cpuTime(all)}
            </td>
            <td class="num">{cores(p.seconds > 0 ? all / p.seconds : null)}</td>
            <td class="num">{percent(all, all)}</td>
            <td class="num muted" title="Each row's peak is at its own moment: their sum is no peak">—</td>
          </tr>
        </tfoot>
      )}
    </table>
  );
};
