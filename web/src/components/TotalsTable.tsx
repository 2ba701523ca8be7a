import { displayName } from '../format.js';
import { serverPagePath } from '../router.js';
import type { TotalsRow } from '../usageTotals.js';
import { bytes, cores, cpuHours, percent } from '../units.js';
import { Link } from './Link.js';

/** Totals over a range, by user or by server: CPU-hours, average cores, share of all CPU, peak memory. */
export const TotalsTable = (p: { rows: TotalsRow[]; byServer: boolean; seconds: number; testid: string }) => {
  const all = p.rows.reduce((n, r) => n + r.cpuSeconds, 0);
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
              {cpuHours(r.cpuSeconds)}
            </td>
            <td class="num">{cores(p.seconds > 0 ? r.cpuSeconds / p.seconds : null)}</td>
            <td class="num">{percent(r.cpuSeconds, all)}</td>
            <td class="num" data-testid="usage-memory">
              {bytes(r.peakMemory)}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
