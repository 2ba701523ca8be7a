import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readStat } from '../procfs/proc.js';
import { parseProcCgroup, podOfPath } from './cgroup.js';
import { cgroupUsageReader } from './cgroup-usage.js';

const UID = '5f3a1c2e-8b4d-4e6f-9a0b-1c2d3e4f5a6b';
const data = join(import.meta.dirname, 'testdata', 'cgroup');
const fixture = (name: string) => readFileSync(join(data, name), 'utf8');

describe('a process’s pod from its cgroup', () => {
  it('reads the cgroupfs driver’s layout (v1, joined cpu,cpuacct), the pod-level path for each controller', () => {
    const cg = parseProcCgroup(fixture('v1-cgroupfs.txt'));
    const pod = `/kubepods/burstable/pod${UID}`;
    expect(cg).toEqual({ uid: UID, paths: { hugetlb: pod, cpu: pod, cpuacct: pod, memory: pod, pids: pod } });
  });

  it('reads a Guaranteed pod (no QoS segment)', () => {
    expect(parseProcCgroup(fixture('v1-guaranteed.txt'))).toEqual({ uid: UID, paths: { memory: `/kubepods/pod${UID}`, cpuacct: `/kubepods/pod${UID}` } });
  });

  it('reads the systemd driver’s slices (v2), underscores back to dashes', () => {
    const path = `/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID.replaceAll('-', '_')}.slice`;
    expect(parseProcCgroup(fixture('v2-systemd.txt'))).toEqual({ uid: UID, paths: { '': path } });
  });

  it('rebuilds the host path when the agent sees the pod from its own cgroup namespace (/../…)', () => {
    const us = UID.replaceAll('-', '_');
    const host = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${us}.slice`;
    expect(parseProcCgroup(`0::/../../kubepods-burstable-pod${us}.slice/cri-containerd-1.scope\n`)).toEqual({ uid: UID, paths: { '': host } });
    expect(parseProcCgroup(`0::/../../../kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${us}.slice/c.scope\n`)).toEqual({ uid: UID, paths: { '': host } });
    expect(parseProcCgroup(`4:memory:/../burstable/pod${UID}/c\n`)).toEqual({ uid: UID, paths: { memory: `/kubepods/burstable/pod${UID}` } });
    // The QoS folder is above the namespace's root: the pod is known, its cgroup's path is not (its processes are summed instead).
    expect(parseProcCgroup(`4:memory:/../pod${UID}/c\n`)).toEqual({ uid: UID, paths: {} });
  });

  it('finds no pod outside the kubelet’s tree, nor in a process split between two pods', () => {
    expect(parseProcCgroup(fixture('not-a-pod.txt'))).toBeNull();
    expect(podOfPath(`/user.slice/pod${UID}`)).toBeNull();
    const other = UID.replace('5f3a', '6f3a');
    expect(parseProcCgroup(`4:memory:/kubepods/pod${UID}/c\n3:cpuacct:/kubepods/pod${other}/c\n`)).toBeNull();
    expect(parseProcCgroup('')).toBeNull();
  });
});

describe('a pod’s usage from its cgroup', () => {
  it('v1: cpuacct.usage in ns, memory usage less inactive file', () => {
    const cg = parseProcCgroup(fixture('v1-cgroupfs.txt'));
    expect(cgroupUsageReader(join(data, 'fs-v1'))(cg?.paths ?? {})).toEqual({ cpuSeconds: 2.5, memoryBytes: 104857600 - 20971520 });
  });

  it('v2: cpu.stat usage_usec, memory.current less inactive_file', () => {
    const cg = parseProcCgroup(fixture('v2-systemd.txt'));
    expect(cgroupUsageReader(join(data, 'fs-v2'))(cg?.paths ?? {})).toEqual({ cpuSeconds: 7.25, memoryBytes: 73400320 - 10485760 });
  });

  it('is unreadable where the counters are missing', () => {
    const cg = parseProcCgroup(fixture('v1-guaranteed.txt'));
    expect(cgroupUsageReader(join(data, 'fs-v1'))(cg?.paths ?? {})).toBeUndefined();
  });
});

// A real cgroup v1 pod, made as the kubelet's cgroupfs driver makes it, under a prefix of this test's own.
const ROOT = '/sys/fs/cgroup';
const canMake = (() => {
  try {
    return existsSync(join(ROOT, 'cpuacct', 'cpuacct.usage')) && existsSync(join(ROOT, 'memory', 'memory.usage_in_bytes')) && process.getuid?.() === 0;
  } catch {
    return false;
  }
})();

describe.skipIf(!canMake)('a real cgroup v1 pod (needs root and cgroup v1 cpuacct and memory)', () => {
  const prefix = `nbhub-cgroup-test-${process.pid}`;
  const podUid = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  const dirs = ['cpuacct', 'memory'].flatMap((c) => [join(ROOT, c, prefix, 'kubepods', 'burstable', `pod${podUid}`, 'main'), join(ROOT, c, prefix, 'kubepods', 'burstable', `pod${podUid}`), join(ROOT, c, prefix, 'kubepods', 'burstable'), join(ROOT, c, prefix, 'kubepods'), join(ROOT, c, prefix)]);
  let busy: ChildProcess | undefined;

  afterAll(async () => {
    if (busy && busy.exitCode === null) {
      const gone = new Promise((resolve) => busy?.once('exit', resolve));
      busy.kill('SIGKILL');
      await gone;
    }
    for (const d of dirs) if (existsSync(d)) rmdirSync(d);
  });

  it('a busy process in it: the pod reads the CPU the process got (1 CPU-second per second on a free core), and its memory', async () => {
    for (const d of dirs) mkdirSync(d, { recursive: true });
    busy = spawn(process.execPath, ['-e', 'const a = Buffer.alloc(32 << 20, 1); for (;;) a[0]++'], { stdio: 'ignore' });
    const pid = busy.pid as number;
    for (const c of ['cpuacct', 'memory']) writeFileSync(join(ROOT, c, prefix, 'kubepods', 'burstable', `pod${podUid}`, 'main', 'cgroup.procs'), String(pid));
    const cg = parseProcCgroup(readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
    expect(cg?.uid).toBe(podUid);
    expect(cg?.paths['cpuacct']).toBe(`/${prefix}/kubepods/burstable/pod${podUid}`);
    const read = cgroupUsageReader(ROOT);
    // What the process got by its own /proc counters over the same time (this machine is shared: maybe less than a core).
    const own = () => (readStat(pid)?.cpuSeconds ?? NaN) + (readStat(pid)?.childCpuSeconds ?? 0);
    await new Promise((r) => setTimeout(r, 300));
    const a = read(cg?.paths ?? {});
    const ownA = own();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, 2000));
    const b = read(cg?.paths ?? {});
    const ownB = own();
    const seconds = (performance.now() - t0) / 1000;
    expect(a && b).toBeTruthy();
    const cores = ((b?.cpuSeconds ?? 0) - (a?.cpuSeconds ?? 0)) / seconds;
    const got = (ownB - ownA) / seconds;
    // /proc counts in clock ticks (10 ms): within 0.05 cores of the cgroup's nanoseconds over 2 s, and the loop did run.
    expect(Math.abs(cores - got)).toBeLessThan(0.05);
    expect(got).toBeGreaterThan(0.2);
    expect(b?.memoryBytes).toBeGreaterThan(32 << 20);
  });
});
