import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { pointCount, stack, type ChartData } from '../chartData.js';

type UPlot = typeof uPlot;
let library: Promise<UPlot> | undefined;
/** uPlot is loaded with the first chart, so the pages without one stay small; a failed load is tried again. */
const loadUPlot = (): Promise<UPlot> =>
  (library ??= import('uplot').then(
    (m) => m.default,
    (e: unknown) => {
      library = undefined;
      throw e;
    },
  ));

const COLORS = ['#1f6feb', '#1a7f37', '#bf8700', '#8250df', '#cf222e', '#0a7b83', '#bc4c00', '#e85aad', '#57606a', '#4d2d00'];
export const chartColor = (i: number): string => COLORS[i % COLORS.length] ?? '#57606a';

export interface TimeChartProps {
  testid: string;
  title: string;
  data: ChartData;
  /** Writes a value in the legend (and on the y axis unless `axis` is given). */
  format: (v: number) => string;
  /** Writes a value on the y axis. */
  axis?: (v: number) => string;
  /** A fixed time window [from, to] in Unix seconds; by default the data's own. */
  window?: [number, number];
  /** The y axis reaches at least this high, so a nearly idle chart does not magnify noise. */
  floor?: number;
  /** The y axis' ticks from 0 to at least a maximum (the last is the axis' top): round ones of a unit (memory: units.ts binaryTicks). */
  ticks?: (max: number) => number[];
  height?: number;
  /** Called with the time (Unix seconds) of the point clicked; the chart then shows a pointer. */
  onPick?: (t: number) => void;
}

/** Stacks the visible series again and hands the result to the plot (after new data or a series shown/hidden). */
const draw = (u: uPlot, d: ChartData): void => {
  const { values, bands } = stack(d.series, (i) => u.series[i + 1]?.show === false);
  u.delBand(null);
  for (const b of bands) u.addBand(b);
  u.setData([d.times, ...values]);
};

/** `props` is read when uPlot calls back, so the callbacks always see the latest props. */
const options = (UPlot: UPlot, props: { current: TimeChartProps }, width: number, height: number): uPlot.Options => {
  const p = (): TimeChartProps => props.current;
  const fmt = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : p().format(v));
  return {
    width,
    height,
    series: [
      {},
      ...p().data.series.map(
        (s, i): uPlot.Series => ({
          label: s.label,
          stroke: chartColor(i),
          width: s.stacked ? 1 : 2,
          ...(s.stacked ? { fill: `${chartColor(i)}66` } : { dash: [6, 4] }),
          points: { show: false },
          // The legend gives each series' own value, not the stacked sum; away from the cursor, its latest one.
          value: (_u, _v, si, idx) => {
            const values = p().data.series[si - 1]?.values ?? [];
            return fmt(idx === null ? values.findLast((v) => v !== null) : values[idx]);
          },
        }),
      ),
    ],
    scales: {
      x: { time: true, range: (_u, min, max) => p().window ?? [min, max] },
      y: {
        range: (_u, _min, max) => {
          const top = Math.max(max ?? 0, p().floor ?? 1);
          const ticks = p().ticks;
          return [0, ticks ? (ticks(top).at(-1) ?? top) : (UPlot.rangeNum(0, top, 0.1, true)[1] ?? 1)];
        },
      },
    },
    axes: [
      {},
      {
        size: 70,
        values: (_u, splits) => splits.map((v) => (p().axis ?? p().format)(v)),
        // The ticks a unit's round numbers, where given; uPlot's own (decimal) otherwise.
        ...(p().ticks ? { splits: (_u: uPlot, _axis: number, _min: number, max: number) => (p().ticks as (max: number) => number[])(max).filter((v) => v <= max * (1 + 1e-9)) } : {}),
      },
    ],
    hooks: { setSeries: [(u) => draw(u, p().data)] },
  };
};

/** A time chart (uPlot, on a canvas): stacked areas for the stacked series, dashed lines for the others. */
export const TimeChart = (p: TimeChartProps) => {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const props = useRef(p);
  props.current = p;
  const height = p.height ?? 200;
  // A new set of series (a kernel started, a notebook opened) builds a new plot; new points only redraw it.
  const shape = p.data.series.map((s) => `${s.key}\u0000${s.label}\u0000${s.stacked}`).join('\u0001');

  const [failed, setFailed] = useState<string | undefined>(undefined);

  useEffect(() => {
    const el = box.current;
    let alive = true;
    let resize: ResizeObserver | undefined;
    void loadUPlot().then(
      (UPlot) => {
        if (!alive || !el) return;
        const d = props.current.data;
        const { values, bands } = stack(d.series);
        const u = new UPlot({ ...options(UPlot, props, el.clientWidth || 600, height), bands }, [d.times, ...values], el);
        plot.current = u;
        // Read at click time: the handler set on the latest props is the one called.
        u.over.addEventListener('click', () => {
          const idx = u.cursor.idx;
          const t = idx === null || idx === undefined ? undefined : u.data[0][idx];
          if (t !== undefined) props.current.onPick?.(t);
        });
        if (props.current.onPick) u.over.style.cursor = 'pointer';
        resize = new ResizeObserver(() => {
          if (el.clientWidth > 0 && el.clientWidth !== u.width) u.setSize({ width: el.clientWidth, height });
        });
        resize.observe(el);
      },
      (e: unknown) => alive && setFailed(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      alive = false;
      resize?.disconnect();
      plot.current?.destroy();
      plot.current = undefined;
    };
  }, [shape, height]);

  useEffect(() => {
    if (plot.current) draw(plot.current, p.data);
  }, [p.data, p.window?.[0], p.window?.[1]]);

  const points = pointCount(p.data);
  return (
    <figure class="chart" data-testid={p.testid} data-series={p.data.series.length} data-points={points}>
      <figcaption>
        {p.title}
        {points === 0 && <span class="muted small"> — no data yet</span>}
        {failed && <span class="error small"> — cannot draw: {failed}</span>}
      </figcaption>
      <div ref={box} role="img" aria-label={p.title} />
    </figure>
  );
};
