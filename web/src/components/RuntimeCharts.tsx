import { useMemo } from 'preact/hooks';
import { api } from '../api.js';
import { alignUsage, type ChartInput } from '../chartData.js';
import { kernelLabel } from '../labels.js';
import { usePoll } from '../poll.js';
import type { KernelModel, UsageLabels, UsageSeries } from '../types.js';
import { binaryTicks, bytes, bytesTick, cores, short } from '../units.js';
import { TimeChart } from './TimeChart.js';

const WINDOW_S = 15 * 60;
const STEP_S = 10;
const POLL_MS = 5000;

interface Live {
  window: [number, number];
  kernels: UsageSeries[];
  total: UsageSeries | undefined;
}

/** The last 15 minutes of one server: per kernel, and the server as a whole (its own processes included). */
const loadLive = async (user: string, server: string): Promise<Live> => {
  const to = Math.floor(Date.now() / 1000);
  const from = to - WINDOW_S;
  // The default server ('') cannot be named in the query: ask for all of the user's and keep this server's series.
  const q = { user, server, from, to, step: STEP_S };
  const [byKernel, byServer] = await Promise.all([api.usage({ ...q, group_by: 'kernel' }), api.usage({ ...q, group_by: 'server' })]);
  const mine = (l: UsageLabels) => (l.user ?? user) === user && (l.server ?? server) === server;
  const kernels = byKernel.series.filter((s) => mine(s.labels) && s.labels.kernel).sort((a, b) => (a.labels.kernel ?? '').localeCompare(b.labels.kernel ?? ''));
  const total = byServer.series.find((s) => mine(s.labels)) ?? byKernel.series.find((s) => mine(s.labels) && !s.labels.kernel);
  return { window: [from, to], kernels, total };
};

const inputs = (live: Live, notebooks: Map<string, string[]>): ChartInput[] => [
  ...live.kernels.map((s) => {
    const id = s.labels.kernel ?? '';
    return { key: id, label: s.labels.notebook || kernelLabel(id, notebooks.get(id)), stacked: true, source: s };
  }),
  ...(live.total ? [{ key: 'total', label: 'whole server', stacked: false, source: live.total }] : []),
];

/** Live CPU and memory of one server: its kernels stacked, the whole server as a dashed line. */
export const RuntimeCharts = (p: { user: string; server: string; kernels: KernelModel[] | undefined; onPick?: (from: number, to: number) => void }) => {
  const live = usePoll(() => loadLive(p.user, p.server), POLL_MS, `live:${p.user}/${p.server}`);
  const notebooksKey = (p.kernels ?? []).map((k) => `${k.id}=${k.notebooks.join(',')}`).join(';');
  const charts = useMemo(() => {
    if (!live.data) return undefined;
    const all = inputs(live.data, new Map((p.kernels ?? []).map((k) => [k.id, k.notebooks])));
    return { cpu: alignUsage(all, 'cpu'), memory: alignUsage(all, 'memory') };
  }, [live.data, notebooksKey]);
  // A point stands for one step: the executions running during it.
  const pick = p.onPick && ((t: number) => p.onPick?.(t, t + STEP_S));
  return (
    <section data-testid="runtime-charts">
      <h2>Last 15 minutes</h2>
      {live.error && (
        <p class="error" role="alert" data-testid="runtime-charts-error">
          Could not load usage: {live.error.message}
        </p>
      )}
      {!charts && !live.error && <p class="muted">Loading…</p>}
      {charts && live.data && (
        <div class="charts">
          <TimeChart testid="chart-cpu" title="CPU (cores)" data={charts.cpu} format={cores} axis={short} window={live.data.window} floor={0.1} onPick={pick} />
          <TimeChart testid="chart-memory" title="Memory" data={charts.memory} format={bytes} ticks={binaryTicks} axis={bytesTick} window={live.data.window} floor={64 * 1024 * 1024} onPick={pick} />
        </div>
      )}
    </section>
  );
};
