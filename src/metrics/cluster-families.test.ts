import { describe, expect, it } from 'vitest';
import { CLUSTER_USAGE_USER } from '../core/cluster-usage.js';
import type { RuntimeSnapshot } from '../core/usage.js';
import { renderMetrics } from './exposition.js';
import { parseExposition, promtool, realisticInput } from './testing.js';

const sample = (kernel: string | null, cpu: number, memory: number) => ({ t: 5000, user: CLUSTER_USAGE_USER, server: 'etl', kernel, cpuSecondsTotal: cpu, cpuSecondsFrom: 0, memoryBytes: memory });
const cluster = (samples: ReturnType<typeof sample>[]): RuntimeSnapshot => ({ t: 5000, user: CLUSTER_USAGE_USER, server: 'etl', samples, processes: [], notebooks: {}, fresh: [], rootCpuSeconds: null });

describe('cluster families in /hub/metrics', () => {
  const input = () => {
    const base = realisticInput();
    return {
      ...base,
      snapshots: [
        ...base.snapshots,
        cluster([sample(null, 40, 900), sample('master', 3, 300), sample('worker-1', 2, 200), sample('app/app-1-0000/alice', 30, 300), sample('driver/driver-1-0000/alice', 5, 100)]),
      ],
    };
  };

  it('has the cluster as a whole and each running component, with its application and user; no runtime for it', () => {
    const m = parseExposition(renderMetrics(input()));
    expect(m.get('nbhub_cluster_cpu_seconds_total')?.samples).toEqual([{ labels: { cluster: 'etl' }, value: 40 }]);
    expect(m.get('nbhub_cluster_memory_bytes')?.samples).toEqual([{ labels: { cluster: 'etl' }, value: 900 }]);
    expect(m.get('nbhub_cluster_component_cpu_seconds_total')?.type).toBe('counter');
    expect(m.get('nbhub_cluster_component_cpu_seconds_total')?.samples).toEqual([
      { labels: { cluster: 'etl', component: 'driver', application: 'driver-1-0000', user: 'alice' }, value: 5 },
      { labels: { cluster: 'etl', component: 'executors', application: 'app-1-0000', user: 'alice' }, value: 30 },
      { labels: { cluster: 'etl', component: 'master', application: '', user: '' }, value: 3 },
      { labels: { cluster: 'etl', component: 'worker-1', application: '', user: '' }, value: 2 },
    ]);
    expect(m.get('nbhub_cluster_component_memory_bytes')?.samples.find((s) => s.labels['component'] === 'executors')?.value).toBe(300);
    // The cluster's sweep is not written as anyone's runtime or kernels.
    const users = [...(m.get('nbhub_runtime_cpu_seconds_total')?.samples ?? []), ...(m.get('nbhub_kernel_cpu_seconds_total')?.samples ?? [])].map((s) => s.labels['user']);
    expect(users).not.toContain(CLUSTER_USAGE_USER);
  });

  it('passes promtool check metrics', () => {
    const r = promtool(['check', 'metrics'], renderMetrics(input()));
    expect(r.output).toBe('');
    expect(r.status).toBe(0);
  });
});
