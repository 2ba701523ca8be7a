import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLUSTER_USAGE_USER, componentKey, parseComponentKey, type ClusterComponent } from '../core/cluster-usage.js';
import type { ProcStat } from '../procfs/proc.js';
import { RuntimeFinder } from './finder.js';
import type { ProcReader } from './proc-reader.js';
import { Sampler } from './sampler.js';
import { sparkComponentOf } from './spark-components.js';

interface Recorded {
  role: string;
  argv: string[];
  environ: string[];
}
/** Command lines and environments read from /proc of a real Spark 4.3 cluster (see the file's comment). */
const recorded = (JSON.parse(readFileSync(new URL('./testdata/spark-processes.json', import.meta.url), 'utf8')) as { processes: Recorded[] }).processes;
const rec = (role: string): Recorded => {
  const r = recorded.find((p) => p.role === role);
  if (!r) throw new Error(`no recorded ${role}`);
  return r;
};
const envOf = (r: Recorded) => () => r.environ.join('\0');

describe('sparkComponentOf, on recorded command lines', () => {
  it('tells the master, each worker by its work dir, executors by application and user, and a cluster-mode driver', () => {
    const of = (role: string) => sparkComponentOf(rec(role).argv, envOf(rec(role)), 4242);
    expect(of('master')).toEqual({ kind: 'master' });
    expect(of('worker-1')).toEqual({ kind: 'worker', worker: '1' });
    expect(of('worker-2')).toEqual({ kind: 'worker', worker: '2' });
    expect(of('executor-alice')).toEqual({ kind: 'executors', application: 'app-20261206212316-0000', user: 'alice' });
    expect(of('executor-bob')).toEqual({ kind: 'executors', application: 'app-20261206212321-0001', user: 'bob' });
    expect(of('driver')).toEqual({ kind: 'driver', driver: 'driver-20261206212302-0000', user: 'alice' });
    // A Python worker of an executor names no Spark class: it counts to the executor above it.
    expect(of('python-daemon')).toBeNull();
  });

  it("reads the environment only for an application's parts, and names what it cannot tell rather than guessing", () => {
    let reads = 0;
    const counted = () => (reads++, 'SPARK_USER=x');
    sparkComponentOf(rec('master').argv, counted, 1);
    sparkComponentOf(rec('worker-1').argv, counted, 1);
    expect(reads).toBe(0);
    // spark-class before it execs java names the class too; a worker without the spawner's work dir, by pid.
    expect(sparkComponentOf(['bash', '/s/bin/spark-class', 'org.apache.spark.deploy.worker.Worker', 'spark://h:1'], counted, 77)).toEqual({ kind: 'worker', worker: 'pid77' });
    expect(sparkComponentOf(['java', 'org.apache.spark.executor.CoarseGrainedExecutorBackend'], () => undefined, 5)).toEqual({ kind: 'executors', application: 'unknown-pid5', user: '' });
    // A driver's own arguments never make it something else.
    expect(sparkComponentOf(['java', 'org.apache.spark.deploy.worker.DriverWrapper', 'spark://W@h:1', '/w/driver-1-2/a.jar', 'Main', 'org.apache.spark.deploy.master.Master'], () => '', 9)).toEqual({ kind: 'driver', driver: 'driver-1-2', user: '' });
    expect(sparkComponentOf(['python3', '-m', 'ipykernel_launcher'], counted, 1)).toBeNull();
  });
});

describe('component keys', () => {
  it('parse back to what they were made of, the user last whatever it holds', () => {
    const all: ClusterComponent[] = [
      { kind: 'master' },
      { kind: 'worker', worker: '12' },
      { kind: 'executors', application: 'app-20261206212316-0000', user: 'alice' },
      { kind: 'executors', application: 'app-1-2', user: 'we/ird user' },
      { kind: 'driver', driver: 'driver-1-2', user: '' },
    ];
    for (const c of all) expect(parseComponentKey(componentKey(c))).toEqual(c);
    expect(componentKey({ kind: 'executors', application: 'app-1-2', user: 'bob' })).toBe('app/app-1-2/bob');
    // '' is the whole cluster, not a component; a runtime's kernel id is none either.
    expect(parseComponentKey('')).toBeUndefined();
    expect(parseComponentKey('aaaaaaaa-1111')).toBeUndefined();
  });
  it("are under a user no account can have, so a cluster's series never meet a user's server's", () => {
    expect(CLUSTER_USAGE_USER).not.toMatch(/^[a-z0-9]/);
  });
});

const proc = (pid: number, ppid: number, cpu: number, rss: number): ProcStat => ({
  pid, ppid, pgrp: pid, state: 'S', startTime: pid, cpuSeconds: cpu, childCpuSeconds: 0, rssBytes: rss,
});

describe('a cluster, found by its marker and sampled by component', () => {
  // pids: the hub 10; master 800; workers 801, 802; a driver under 801; executors of two apps under 802, one with a Python worker.
  const table = [proc(1, 0, 0, 0), proc(10, 1, 1, 1), proc(800, 10, 3, 300), proc(801, 10, 2, 200), proc(1595, 801, 7, 70), proc(802, 10, 2, 200), proc(1823, 802, 11, 110), proc(1896, 802, 5, 50), proc(2350, 1896, 4, 40)];
  const roles: Record<number, string> = { 800: 'master', 801: 'worker-1', 1595: 'driver', 802: 'worker-2', 1823: 'executor-alice', 1896: 'executor-bob', 2350: 'python-daemon' };
  const reader: ProcReader = {
    all: () => table,
    cmdline: (pid) => (roles[pid] ? rec(roles[pid]).argv : ['node', 'hub']),
    environ: (pid) => (roles[pid] ? envOf(rec(roles[pid]))() : 'HOME=/'),
    pss: () => undefined,
    startedAt: (st) => st.startTime,
  };

  it('follows the master and the workers as one cluster of this hub only, and splits its CPU and memory by component', () => {
    const found = new RuntimeFinder(reader).find(table, { hubId: 'hub-d', match: null, known: [] });
    expect(found).toEqual([{ user: CLUSTER_USAGE_USER, server: 'dprobe', rootPid: 800, rootStart: 800, api: null, others: [801, 802] }]);
    expect(new RuntimeFinder(reader).find(table, { hubId: 'other-hub', match: null, known: [] })).toEqual([]);

    const [snap] = new Sampler(reader, { now: () => 0 }).sweep([{ ...found[0]!, notebooks: {}, parts: 'spark' }]);
    const by = Object.fromEntries((snap?.samples ?? []).map((s) => [s.kernel ?? '', [s.cpuSecondsTotal, s.memoryBytes]]));
    expect(by).toEqual({
      '': [34, 970],
      master: [3, 300],
      'worker-1': [2, 200],
      'worker-2': [2, 200],
      'driver/driver-20261206212302-0000/alice': [7, 70],
      'app/app-20261206212316-0000/alice': [11, 110],
      // The Python worker counts to its executor's application.
      'app/app-20261206212321-0001/bob': [9, 90],
    });
  });

  it("asks again about an executor caught in the JVM's spawn helper, so its CPU goes to its application, not its worker", () => {
    const argv: Record<number, string[]> = { 801: rec('worker-1').argv, 1823: ['/usr/lib/jvm/java-17-openjdk-amd64/lib/jspawnhelper', '0:0:0'] };
    const t = [proc(801, 10, 2, 200), proc(1823, 801, 0, 1)];
    const r: ProcReader = { all: () => t, cmdline: (pid) => argv[pid], environ: () => envOf(rec('executor-alice'))(), pss: () => undefined, startedAt: (st) => st.startTime };
    const sampler = new Sampler(r, { now: () => 0 });
    const ref = { user: CLUSTER_USAGE_USER, server: 'dprobe', rootPid: 801, notebooks: {}, parts: 'spark' as const };
    expect(sampler.sweep([ref])[0]?.samples.map((s) => s.kernel)).toEqual([null, 'worker-1']);
    argv[1823] = rec('executor-alice').argv;
    t[1] = proc(1823, 801, 6, 110);
    expect(sampler.sweep([ref])[0]?.samples.find((s) => s.kernel === 'app/app-20261206212316-0000/alice')?.memoryBytes).toBe(110);
  });
});
