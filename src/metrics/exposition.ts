import type { ServerState } from '../core/models.js';
import { clusterFamilies } from './cluster-families.js';
import { logFeedFamilies, logShippingFamilies } from './log-families.js';
import { runtimeFamilies } from './runtime-families.js';
import { renderFamily, type Family, type Sample } from './text-format.js';
import type { HubProcessStats, MetricsInput, RuntimeInfo, SamplerStats } from './types.js';

export { CONTENT_TYPE } from './text-format.js';

/** Every known state is written, 0 included, so that a query on one state never finds it absent. */
const STATES: Record<ServerState, true> = { stopped: true, pending: true, running: true, stopping: true, failed: true };

const runtimesByState = (runtimes: readonly RuntimeInfo[]): Sample[] => {
  const counts = new Map<string, number>(Object.keys(STATES).map((s) => [s, 0]));
  for (const r of runtimes) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([state, value]) => ({ labels: { state }, value }));
};

const one = (value: number | null): Sample[] => (value === null ? [] : [{ labels: {}, value }]);

const samplerFamilies = (s: SamplerStats): Family[] => [
  { name: 'nbhub_sampler_interval_seconds', type: 'gauge', help: 'Configured interval between two sampling sweeps, in seconds.', samples: one(s.intervalSeconds) },
  { name: 'nbhub_sampler_last_sweep_timestamp_seconds', type: 'gauge', help: 'Unix time at which the last sampling sweep finished; absent before the first.', samples: one(s.lastSweepSeconds) },
  { name: 'nbhub_sampler_sweep_duration_seconds', type: 'gauge', help: 'Duration of the last sampling sweep, in seconds.', samples: one(s.lastSweepDurationSeconds) },
  { name: 'nbhub_sampler_sweeps_total', type: 'counter', help: 'Sampling sweeps completed since the hub started.', samples: one(s.sweeps) },
  { name: 'nbhub_sampler_errors_total', type: 'counter', help: 'Sampling errors since the hub started.', samples: one(s.errors) },
];

const processFamilies = (h: HubProcessStats): Family[] => [
  { name: 'process_start_time_seconds', type: 'gauge', help: 'Start time of the process since unix epoch in seconds.', samples: one(h.startTimeSeconds) },
  { name: 'process_resident_memory_bytes', type: 'gauge', help: 'Resident memory size in bytes.', samples: one(h.residentMemoryBytes) },
  { name: 'process_cpu_seconds_total', type: 'counter', help: 'Total user and system CPU time spent in seconds.', samples: one(h.cpuSecondsTotal) },
];

/**
 * /hub/metrics in the Prometheus text format 0.0.4. Pure: the caller gathers the input (latest sweep,
 * server records, sampler counters, process.cpuUsage() and the like) and serves the text with CONTENT_TYPE.
 */
export const renderMetrics = (input: MetricsInput): string => {
  const families: Family[] = [
    ...runtimeFamilies(input.snapshots, input.runtimes),
    ...clusterFamilies(input.snapshots),
    { name: 'nbhub_runtimes', type: 'gauge', help: 'Runtimes known to the hub, by state.', samples: runtimesByState(input.runtimes) },
    { name: 'nbhub_users', type: 'gauge', help: 'User accounts.', samples: one(input.users) },
    ...samplerFamilies(input.sampler),
    ...logShippingFamilies(input.logShipping ?? []),
    ...logFeedFamilies(input.logFeed),
    ...processFamilies(input.hub),
  ];
  return families.map(renderFamily).join('');
};
