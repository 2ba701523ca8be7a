import { useMemo } from 'preact/hooks';
import { api } from '../api.js';
import { alignUsage, foldOthers, type ChartInput } from '../chartData.js';
import { CsvButton } from '../components/CsvButton.js';
import { RangePicker } from '../components/RangePicker.js';
import { TimeChart } from '../components/TimeChart.js';
import { TopConsumers } from '../components/TopConsumers.js';
import { TotalsTable } from '../components/TotalsTable.js';
import { serverLabel } from '../labels.js';
import { usePoll } from '../poll.js';
import { navigate } from '../router.js';
import type { UsageResult, UsageSeries, UsageTotal, UserModel } from '../types.js';
import { binaryTicks, bytes, bytesTick, cores, short } from '../units.js';
import { describeRange, parseRange, rangeSearch, resolveRange, type UsageRange } from '../usageRange.js';
import { fileStamp, totalsCsv, totalsRows } from '../usageTotals.js';

const POLL_MS = 60_000;
/** Series drawn one by one; the rest are summed into "others". */
const CHART_SERIES = 8;

interface Loaded {
  from: number;
  to: number;
  step: number;
  byUser: UsageResult;
  byServer: UsageResult;
  notebooks: UsageTotal[] | Error;
}

/** Admins see everyone; a user asks for their own usage only. */
const load = async (range: UsageRange, me: UserModel): Promise<Loaded> => {
  const q = { ...resolveRange(range), ...(me.admin ? {} : { user: me.name }) };
  const [byUser, byServer, notebooks] = await Promise.all([
    api.usage({ ...q, group_by: 'user' }),
    api.usage({ ...q, group_by: 'server' }),
    // The page stands without this list.
    api.usage({ ...q, group_by: 'notebook' }).then(
      (r) => r.totals,
      (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
    ),
  ]);
  return { from: q.from, to: q.to, step: q.step, byUser, byServer, notebooks };
};

/** The stacked chart: by user for an admin, by server for a user; the biggest few, the rest as "others". */
const chartInputs = (series: UsageSeries[], byUser: boolean): ChartInput[] => {
  const { top, others } = foldOthers(series, CHART_SERIES);
  const keyOf = (s: UsageSeries) => (byUser ? (s.labels.user ?? '') : `${s.labels.user ?? ''}/${s.labels.server ?? ''}`);
  return [
    ...[...top]
      .sort((a, b) => keyOf(a).localeCompare(keyOf(b)))
      .map((s) => ({ key: keyOf(s), label: byUser ? (s.labels.user ?? '?') : serverLabel(s.labels), stacked: true, source: s })),
    ...(others ? [{ key: '\u0000others', label: 'others', stacked: true, source: others }] : []),
  ];
};

/** Consumption over a chosen range: totals by user and by server, a stacked chart, top consumers, CSV. */
export const UsagePage = (p: { me: UserModel; search: string }) => {
  const range = parseRange(p.search);
  const key = rangeSearch(range);
  const usage = usePoll(() => load(range, p.me), POLL_MS, `usage:${key}:${p.me.name}:${p.me.admin}`);
  const d = usage.data;
  const charts = useMemo(() => {
    if (!d) return undefined;
    const inputs = chartInputs(p.me.admin ? d.byUser.series : d.byServer.series, p.me.admin);
    return { cpu: alignUsage(inputs, 'cpu'), memory: alignUsage(inputs, 'memory') };
  }, [d, p.me.admin]);
  const users = d ? totalsRows(d.byUser.totals) : [];
  const servers = d ? totalsRows(d.byServer.totals) : [];
  const stamp = d ? `${fileStamp(d.from)}_${fileStamp(d.to)}` : '';
  return (
    // The range as loaded, in Unix seconds: the same query gives the same totals (tests compare the CSV with the API).
    <main data-testid="usage-page" data-from={d?.from} data-to={d?.to} data-step={d?.step}>
      <h1>Usage</h1>
      <RangePicker range={range} onChange={(r) => navigate(`/hub/usage${rangeSearch(r)}`, { replace: true })} />
      {d && (
        <p class="muted small" data-testid="usage-range-text">
          {describeRange(d.from, d.to)}
          {p.me.admin ? ' · all users' : ''}
        </p>
      )}
      {usage.error && (
        <p class="error" role="alert" data-testid="usage-error">
          Could not load usage: {usage.error.message}
        </p>
      )}
      {!d && !usage.error && <p class="muted">Loading…</p>}
      {d && charts && (
        <>
          <section>
            <h2>{p.me.admin ? 'By user' : 'By server'} over time</h2>
            <div class="charts">
              <TimeChart testid="usage-chart-cpu" title="CPU (cores)" data={charts.cpu} format={cores} axis={short} window={[d.from, d.to]} floor={0.1} />
              <TimeChart
                testid="usage-chart-memory"
                title="Memory (peak per step)"
                data={charts.memory}
                format={bytes}
                ticks={binaryTicks} axis={bytesTick}
                window={[d.from, d.to]}
                floor={64 * 1024 * 1024}
              />
            </div>
          </section>
          <TopConsumers servers={d.byServer.totals} notebooks={d.notebooks} />
          <section>
            <h2 class="with-actions">
              Totals by user
              <CsvButton testid="usage-csv" filename={`nbhub-usage-by-user_${stamp}.csv`} rows={() => totalsCsv(users, false)} />
            </h2>
            <TotalsTable rows={users} byServer={false} seconds={d.to - d.from} testid="usage-users" />
          </section>
          <section>
            <h2 class="with-actions">
              Totals by server
              <CsvButton testid="usage-csv-servers" filename={`nbhub-usage-by-server_${stamp}.csv`} rows={() => totalsCsv(servers, true)} />
            </h2>
            <TotalsTable rows={servers} byServer seconds={d.to - d.from} testid="usage-servers" />
          </section>
        </>
      )}
    </main>
  );
};
