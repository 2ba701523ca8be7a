import { describe, expect, it } from 'vitest';
import { Sampler } from './sampler.js';
import { PodFinder } from './pod-finder.js';
import type { RuntimePod } from './pods.js';
import { proc } from './testing.js';

const A = '11111111-2222-4333-8444-555555555555';
const B = '99999999-2222-4333-8444-555555555555';
const pod = (uid: string, user: string, server: string, instance = 'hub-1'): RuntimePod => ({ uid, namespace: 'ns', name: `p-${user}`, instance, user, server, ip: '127.0.5.7', port: 8888 });
const inPod = (uid: string) => `4:memory:/kubepods/burstable/pod${uid}/main\n2:cpuacct:/kubepods/burstable/pod${uid}/main\n0::/\n`;
const env = (rt: string) => `NBHUB_RUNTIME=${rt}\0NBHUB_BASE_URL=/user/ann/\0NBHUB_TOKEN=tok\0NBHUB_PORT=9`;

/** A node's process table (fake, named as such): ann's pod (100, its kernel 200, a second root 300), bob's pod (400), others. */
const node = () => {
  const table = [proc(1, 0, 0, 0), proc(90, 1, 0, 10), proc(100, 90, 5, 500), proc(200, 100, 20, 600), proc(300, 90, 1, 700), proc(400, 90, 3, 500), proc(500, 1, 9, 500), proc(600, 1, 2, 800)];
  const cgroup: Record<number, string> = { 1: '0::/\n', 90: '0::/\n', 100: inPod(A), 200: inPod(A), 300: inPod(A), 400: inPod(B), 500: '0::/\n', 600: '0::/\n' };
  // 400 is in bob's pod and claims to be ann's; 500 is in no pod and claims ann's (the marker fallback); 600 claims carol's.
  const environ: Record<number, string> = { 100: env('ann/'), 200: env('ann/'), 400: env('ann/'), 500: env('ann/'), 600: env('carol/') };
  return { table, reader: { cgroup: (pid: number) => cgroup[pid], environ: (pid: number) => environ[pid], startedAt: (st: { startTime: number }) => st.startTime } };
};

describe('PodFinder (node mode)', () => {
  it('maps each pod to the processes in its cgroup; user and server come from the pod, not the process', () => {
    const n = node();
    const found = new PodFinder(n.reader).find(n.table, { hubId: 'hub-1', match: null, pods: [pod(A, 'ann', ''), pod(B, 'bob', 'x')] });
    const ann = found.find((f) => f.user === 'ann');
    const bob = found.find((f) => f.user === 'bob');
    expect(ann).toMatchObject({ server: '', rootPid: 100, others: [300], cgroup: { memory: `/kubepods/burstable/pod${A}`, cpuacct: `/kubepods/burstable/pod${A}` } });
    expect(ann?.api).toEqual({ target: 'http://127.0.5.7:8888', baseUrl: '/user/ann/', token: 'tok' });
    // bob's process says it is ann's: it is bob's, and only bob's.
    expect(bob).toMatchObject({ server: 'x', rootPid: 400, others: [] });
    expect(found).toHaveLength(2);
  });

  it('falls back to the marker for processes in no pod’s cgroup, only for pods of this node and hub', () => {
    const n = node();
    const noCgroups = { ...n.reader, cgroup: () => '0::/\n' };
    const found = new PodFinder(noCgroups).find(n.table, { hubId: 'hub-1', match: null, pods: [pod(A, 'ann', ''), pod(B, 'bob', 'x', 'hub-2')] });
    // ann's marked processes (100, 200, 400, 500: all outside any pod now); carol has no pod; bob's pod is another hub's.
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ user: 'ann', rootPid: 100, others: [400, 500] });
    expect(found[0]?.cgroup).toBeUndefined();
  });

  it('ignores pods of another hub, unmatched runtimes, and finds nothing before the hub is known', () => {
    const n = node();
    const f = new PodFinder(n.reader);
    expect(f.find(n.table, { hubId: 'hub-2', match: null, pods: [pod(A, 'ann', '')] })).toEqual([]);
    expect(f.find(n.table, { hubId: null, match: null, pods: [pod(A, 'ann', '')] })).toEqual([]);
    expect(f.find(n.table, { hubId: 'hub-1', match: /^bob\//, pods: [pod(A, 'ann', ''), pod(B, 'bob', 'x')] }).map((r) => r.user)).toEqual(['bob']);
  });
});

describe('Sampler with a pod cgroup', () => {
  it('takes the runtime’s CPU and memory from the cgroup where readable (also CPU of processes gone between sweeps), kernels from /proc', () => {
    let now = 0;
    let usage = { cpuSeconds: 40, memoryBytes: 5000 };
    let table = [proc(100, 1, 5, 500), proc(200, 100, 20, 600)];
    const reader = { all: () => table, cmdline: (pid: number) => (pid === 200 ? ['python3', '-f', '/run/kernel-aaaaaaaa-1111.json'] : ['x']), pss: () => undefined, startedAt: (st: { startTime: number }) => st.startTime };
    const s = new Sampler(reader, { now: () => now }, { pss: false, cgroups: (paths) => (paths['cpuacct'] === '/kubepods/podA' ? usage : undefined) });
    const ref = { user: 'ann', server: '', rootPid: 100, cgroup: { cpuacct: '/kubepods/podA', memory: '/kubepods/podA' }, notebooks: {} };
    const first = s.sweep([ref])[0];
    expect(first?.samples.find((x) => x.kernel === null)).toMatchObject({ cpuSecondsTotal: 40, memoryBytes: 5000 });
    expect(first?.samples.find((x) => x.kernel === 'aaaaaaaa-1111')).toMatchObject({ cpuSecondsTotal: 20, memoryBytes: 1000 });
    // 10 s on: a short-lived process used 3 s and is gone; the kernel used 10 s.
    now += 10_000;
    usage = { cpuSeconds: 53, memoryBytes: 7000 };
    table = [proc(100, 1, 5, 500), proc(200, 100, 30, 600)];
    const second = s.sweep([ref])[0];
    expect(second?.samples.find((x) => x.kernel === null)).toMatchObject({ cpuSecondsTotal: 53, cpuSecondsFrom: 40, memoryBytes: 7000 });
    expect(second?.samples.find((x) => x.kernel === 'aaaaaaaa-1111')?.cpuSecondsTotal).toBe(30);
    // Unreadable now: the processes decide (and the counter never goes back).
    now += 10_000;
    table = [proc(100, 1, 6, 500), proc(200, 100, 31, 600)];
    const third = s.sweep([{ ...ref, cgroup: { cpuacct: '/gone', memory: '/gone' } }])[0];
    expect(third?.samples.find((x) => x.kernel === null)).toMatchObject({ cpuSecondsTotal: 55, memoryBytes: 2000 });
  });
});
