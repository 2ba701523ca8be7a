import { describe, expect, it } from 'vitest';
import { renderMetrics } from './exposition.js';
import { escapeLabelValue, formatValue } from './text-format.js';
import { parseExposition, promtool, realisticInput, type ParsedFamily } from './testing.js';
import type { MetricsInput } from './types.js';

const parse = (input: MetricsInput) => parseExposition(renderMetrics(input));
const family = (fams: Map<string, ParsedFamily>, name: string): ParsedFamily => {
  const f = fams.get(name);
  if (!f) throw new Error(`no family ${name}`);
  return f;
};
const value = (fams: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined =>
  family(fams, name).samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))?.value;

const emptyInput = (): MetricsInput => ({
  snapshots: [],
  runtimes: [],
  users: 0,
  sampler: { intervalSeconds: 10, lastSweepSeconds: null, lastSweepDurationSeconds: null, sweeps: 0, errors: 0 },
  hub: { startTimeSeconds: 1_760_000_000, residentMemoryBytes: 1, cpuSecondsTotal: 0 },
});

describe('renderMetrics', () => {
  it('reports each runtime as a whole, the default server under server=""', () => {
    const m = parse(realisticInput());
    expect(family(m, 'nbhub_runtime_cpu_seconds_total').type).toBe('counter');
    expect(family(m, 'nbhub_runtime_cpu_seconds_total').samples).toEqual([
      { labels: { user: 'alice', server: '' }, value: 125.5 },
      { labels: { user: 'bob', server: 'gpu-lab' }, value: 0.5 },
    ]);
    expect(value(m, 'nbhub_runtime_memory_bytes', { user: 'alice', server: '' })).toBe(734_003_200);
    expect(value(m, 'nbhub_runtime_processes', { user: 'alice', server: '' })).toBe(4);
    expect(value(m, 'nbhub_runtime_processes', { user: 'bob', server: 'gpu-lab' })).toBe(2);
  });

  it('reports each kernel with every notebook it runs, sorted and comma-separated', () => {
    const m = parse(realisticInput());
    const shared = { user: 'alice', server: '', kernel: 'k-shared', notebook: 'a.ipynb,work/b.ipynb' };
    expect(value(m, 'nbhub_kernel_cpu_seconds_total', shared)).toBe(100.25);
    expect(value(m, 'nbhub_kernel_memory_bytes', shared)).toBe(524_288_000);
    expect(value(m, 'nbhub_kernel_processes', shared)).toBe(2);
    // A kernel that no session names (started through /api/kernels) has an empty notebook label.
    expect(value(m, 'nbhub_kernel_cpu_seconds_total', { user: 'bob', server: 'gpu-lab', kernel: 'k-lone', notebook: '' })).toBe(0.2);
    // The runtime-wide sample is not a kernel.
    expect(family(m, 'nbhub_kernel_cpu_seconds_total').samples).toHaveLength(3);
  });

  it('escapes label values so that any notebook path survives', () => {
    const text = renderMetrics(realisticInput());
    expect(text).toContain('notebook="say \\"hi\\"\\\\there\\nnow é.ipynb"');
    const m = parseExposition(text);
    expect(value(m, 'nbhub_kernel_memory_bytes', { user: 'alice', server: '', kernel: 'k-odd', notebook: 'say "hi"\\there\nnow é.ipynb' })).toBe(104_857_600);
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('reports a memory limit only where one is known, for runtimes that hold compute', () => {
    const m = parse(realisticInput());
    expect(family(m, 'nbhub_runtime_memory_limit_bytes').samples).toEqual([
      { labels: { user: 'alice', server: '' }, value: 2_147_483_648 },
      { labels: { user: 'carol', server: '' }, value: 536_870_912 },
    ]);
  });

  it('counts runtimes by state, every known state included, and users', () => {
    const m = parse(realisticInput());
    expect(Object.fromEntries(family(m, 'nbhub_runtimes').samples.map((s) => [s.labels['state'], s.value]))).toEqual({
      failed: 1,
      pending: 1,
      running: 2,
      stopped: 1,
      stopping: 0,
    });
    expect(value(m, 'nbhub_users')).toBe(4);
  });

  it("reports the sampler's health and the hub process", () => {
    const m = parse(realisticInput());
    expect(value(m, 'nbhub_sampler_interval_seconds')).toBe(10);
    expect(value(m, 'nbhub_sampler_last_sweep_timestamp_seconds')).toBe(1_760_000_000.25);
    expect(value(m, 'nbhub_sampler_sweep_duration_seconds')).toBe(0.0125);
    expect(value(m, 'nbhub_sampler_sweeps_total')).toBe(360);
    expect(value(m, 'nbhub_sampler_errors_total')).toBe(2);
    expect(family(m, 'nbhub_sampler_errors_total').type).toBe('counter');
    expect(value(m, 'process_start_time_seconds')).toBe(1_759_996_400);
    expect(value(m, 'process_resident_memory_bytes')).toBe(104_857_600);
    expect(value(m, 'process_cpu_seconds_total')).toBe(42.5);
  });

  it('before the first sweep, leaves the last-sweep series absent (what the alert looks for)', () => {
    const m = parse(emptyInput());
    expect(family(m, 'nbhub_sampler_last_sweep_timestamp_seconds').samples).toEqual([]);
    expect(family(m, 'nbhub_sampler_sweep_duration_seconds').samples).toEqual([]);
    expect(family(m, 'nbhub_runtime_cpu_seconds_total').samples).toEqual([]);
    expect(value(m, 'nbhub_runtimes', { state: 'running' })).toBe(0);
  });

  it('follows the naming conventions: HELP and TYPE everywhere, _total exactly on counters, no series twice', () => {
    const m = parse(realisticInput());
    for (const [name, f] of m) {
      expect(f.help, name).not.toBe('');
      expect(['counter', 'gauge'], name).toContain(f.type);
      expect(name.endsWith('_total'), name).toBe(f.type === 'counter');
      const series = f.samples.map((s) => JSON.stringify(s.labels));
      expect(new Set(series).size, name).toBe(series.length);
    }
  });

  it('writes one series per runtime and kernel when a caller passes an older snapshot too', () => {
    const input = realisticInput();
    const older = structuredClone(input.snapshots[0]!);
    older.t -= 10;
    for (const s of older.samples) s.cpuSecondsTotal = 1;
    input.snapshots.push(older);
    input.snapshots[1]!.samples.push({ ...input.snapshots[1]!.samples[1]!, t: 1, cpuSecondsTotal: 0.1 });
    const m = parse(input);
    expect(value(m, 'nbhub_runtime_cpu_seconds_total', { user: 'alice', server: '' })).toBe(125.5);
    expect(family(m, 'nbhub_runtime_cpu_seconds_total').samples).toHaveLength(2);
    expect(value(m, 'nbhub_kernel_cpu_seconds_total', { user: 'bob', server: 'gpu-lab', kernel: 'k-lone', notebook: '' })).toBe(0.2);
  });

  it('counts shipped, dropped (every reason, 0 included) and truncated log lines per target', () => {
    const families = parse(realisticInput());
    const loki = 'loki+https://loki.example/loki/api/v1/push';
    expect(families.get('nbhub_log_lines_shipped_total')?.samples).toContainEqual({ labels: { sink: loki }, value: 119_000 });
    const dropped = families.get('nbhub_log_lines_dropped_total')?.samples.filter((s) => s.labels['sink'] === loki);
    expect(dropped?.map((s) => [s.labels['reason'], s.value])).toEqual([['queue_full', 1000], ['rejected', 5], ['send_failed', 0], ['closing', 0]]);
    expect(families.get('nbhub_log_lines_truncated_total')?.type).toBe('counter');
    expect(families.get('nbhub_log_ship_queue_lines')?.samples).toContainEqual({ labels: { sink: loki }, value: 1000 });
  });

  it("counts what the log feed lost before shipping: output rotated away unread, the hub's lines dropped", () => {
    const m = parse(realisticInput());
    expect(family(m, 'nbhub_log_feed_skipped_bytes_total')).toMatchObject({ type: 'counter', samples: [{ labels: {}, value: 5_242_880 }] });
    expect(family(m, 'nbhub_log_feed_hub_lines_dropped_total')).toMatchObject({ type: 'counter', samples: [{ labels: {}, value: 12 }] });
    // 0 is written too (a rate() finds the series from the first scrape on); no feed, no series.
    const none = parse({ ...realisticInput(), logFeed: { skippedBytes: 0, droppedHubLines: 0 } });
    expect(value(none, 'nbhub_log_feed_hub_lines_dropped_total')).toBe(0);
    expect(family(parse(emptyInput()), 'nbhub_log_feed_skipped_bytes_total').samples).toEqual([]);
  });

  it('writes special values as Prometheus spells them', () => {
    expect([NaN, Infinity, -Infinity, 0.5, 1e21].map(formatValue)).toEqual(['NaN', '+Inf', '-Inf', '0.5', '1e+21']);
  });
});

describe('promtool check metrics', () => {
  it('accepts the exposition of a realistic hub, and of an empty one, without a remark', () => {
    for (const input of [realisticInput(), emptyInput()]) {
      const r = promtool(['check', 'metrics'], renderMetrics(input));
      expect(r).toEqual({ status: 0, output: '' });
    }
  });

  it('would notice a convention broken (the check can fail)', () => {
    const broken = renderMetrics(realisticInput()).replaceAll('nbhub_sampler_errors_total', 'nbhub_sampler_errors');
    const r = promtool(['check', 'metrics'], broken);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/nbhub_sampler_errors counter metrics should have "_total" suffix/);
  });
});
