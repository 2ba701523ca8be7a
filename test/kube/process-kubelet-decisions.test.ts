import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stagingDir, wrapperScript } from './container.js';
import { commandLine, ConfigError, containerEnv, expand, fieldFile, fieldValue, parseQuantity } from './env.js';
import { pullFailure, withDefaultTag } from './images.js';
import { exitCodeOf, podPhase, qosClass, restartBackoffMs, shouldRestart } from './status.js';

/** The process kubelet's (node stand-in's) pure decisions: env, commands, phases, QoS, images. */
const pod = (containers: V1Container[], extra: Partial<V1Pod> = {}): V1Pod => ({
  metadata: { name: 'p', namespace: 'ns', uid: 'u-1', labels: { app: 'x' }, annotations: { 'hub.nbhub.io/user': 'Ann "A"' } },
  spec: { nodeName: 'node-1', containers },
  status: { podIP: '127.1.2.3', hostIP: '127.0.0.1' },
  ...extra,
});

describe('env', () => {
  it('expands $(VAR) from what is defined, keeps unknown references and honours $$ escapes', () => {
    expect(expand('$(A)-$(B)-$$(A)-$(A', { A: '1' })).toBe('1-$(B)-$(A)-$(A');
  });

  it('reads the downward API fields a kubelet supports', () => {
    const p = pod([]);
    expect(fieldValue(p, { fieldPath: "metadata.labels['app']" })).toBe('x');
    expect(fieldValue(p, { fieldPath: "metadata.annotations['hub.nbhub.io/user']" })).toBe('Ann "A"');
    expect(fieldValue(p, { fieldPath: 'spec.serviceAccountName' })).toBe('default');
    expect(fieldValue(p, { fieldPath: 'status.podIP' })).toBe('127.1.2.3');
    expect(() => fieldValue(p, { fieldPath: 'spec.nope' })).toThrow(ConfigError);
    expect(fieldFile(p, 'metadata.annotations')).toBe('hub.nbhub.io/user="Ann \\"A\\""');
  });

  it('builds env in order (envFrom, then env, later wins) and waits for a missing secret', async () => {
    const lookup = {
      secret: (_ns: string, name: string) => Promise.resolve(name === 's' ? { token: 't0k' } : undefined),
      configMap: () => Promise.resolve({ MODE: 'a', OTHER: 'b' }),
    };
    const c: V1Container = {
      name: 'c',
      envFrom: [{ configMapRef: { name: 'm' }, prefix: 'P_' }],
      env: [
        { name: 'MODE', value: 'from-env $(P_MODE)' },
        { name: 'T', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } },
        { name: 'OPT', valueFrom: { secretKeyRef: { name: 'missing', key: 'k', optional: true } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      ],
      resources: { limits: { memory: '64Mi' } },
    };
    const env = await containerEnv(pod([c]), c, lookup, { BASE: '1' });
    expect(env).toEqual({ BASE: '1', P_MODE: 'a', P_OTHER: 'b', MODE: 'from-env a', T: 't0k', MEM: '64' });
    const bad: V1Container = { name: 'c', env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'missing', key: 'k' } } }] };
    await expect(containerEnv(pod([bad]), bad, lookup, {})).rejects.toThrow('secret "missing" not found');
  });

  it('runs command or the image entrypoint, args or the image cmd, as Kubernetes combines them', () => {
    const image = { entrypoint: ['jupyter'], cmd: ['lab'] };
    expect(commandLine({ name: 'c' }, image, {})).toEqual(['jupyter', 'lab']);
    expect(commandLine({ name: 'c', args: ['lab', '--ip=$(POD_IP)'] }, image, { POD_IP: '127.1.1.1' })).toEqual(['jupyter', 'lab', '--ip=127.1.1.1']);
    expect(commandLine({ name: 'c', command: ['sh'] }, image, {})).toEqual(['sh']);
    expect(commandLine({ name: 'c', command: ['sh'], args: ['-c', 'x'] }, image, {})).toEqual(['sh', '-c', 'x']);
  });

  it('parses quantities', () => {
    expect(parseQuantity('500m')).toBe(0.5);
    expect(parseQuantity('2Gi')).toBe(2 * 2 ** 30);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(() => parseQuantity('2 apples')).toThrow();
  });
});

describe('status', () => {
  const running = { state: { running: {} }, restarted: false };
  const waiting = { state: { waiting: { reason: 'ContainerCreating' } }, restarted: false };
  const done = (exitCode: number) => ({ state: { terminated: { exitCode } }, restarted: false });
  const backingOff = { state: { waiting: { reason: 'CrashLoopBackOff' } }, restarted: true };

  it('computes the phase as kubelet getPhase does', () => {
    expect(podPhase('Always', false, [waiting])).toBe('Pending');
    expect(podPhase('Always', true, [running, waiting])).toBe('Pending');
    expect(podPhase('Always', true, [running, done(0)])).toBe('Running');
    expect(podPhase('Always', true, [backingOff])).toBe('Running');
    expect(podPhase('Never', true, [done(0), done(0)])).toBe('Succeeded');
    expect(podPhase('Never', true, [done(0), done(1)])).toBe('Failed');
    expect(podPhase('OnFailure', true, [done(0), done(1)])).toBe('Running');
    expect(podPhase('Always', true, [done(0)], true)).toBe('Succeeded');
    expect(podPhase('Always', true, [done(143)], true)).toBe('Failed');
  });

  it('classifies QoS', () => {
    expect(qosClass(pod([{ name: 'a' }]))).toBe('BestEffort');
    expect(qosClass(pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }]))).toBe('Guaranteed');
    expect(qosClass(pod([{ name: 'a', resources: { requests: { cpu: '1000m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }]))).toBe('Guaranteed');
    expect(qosClass(pod([{ name: 'a', resources: { requests: { cpu: '1' } } }]))).toBe('Burstable');
    // Zero requests count as none (the chart's image puller asks for 0): the API server says BestEffort too.
    expect(qosClass(pod([{ name: 'a', resources: { requests: { cpu: '0', memory: '0' } } }]))).toBe('BestEffort');
    expect(qosClass(pod([{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'b' }]))).toBe('Burstable');
  });

  it('restarts per policy with a doubling back-off capped at five minutes', () => {
    expect(shouldRestart('Always', 0)).toBe(true);
    expect(shouldRestart('OnFailure', 0)).toBe(false);
    expect(shouldRestart('OnFailure', 2)).toBe(true);
    expect(shouldRestart('Never', 2)).toBe(false);
    expect([1, 2, 3, 10].map((n) => restartBackoffMs(n))).toEqual([10_000, 20_000, 40_000, 300_000]);
  });

  it('reports a signal as 128 + its number', () => {
    expect(exitCodeOf(3, null)).toEqual({ exitCode: 3 });
    expect(exitCodeOf(null, 'SIGKILL')).toEqual({ exitCode: 137, signal: 9 });
    expect(exitCodeOf(null, 'SIGTERM')).toEqual({ exitCode: 143, signal: 15 });
  });
});

describe('images and containers', () => {
  it('names images and their pull failures as containerd does', () => {
    expect(withDefaultTag('busybox')).toBe('busybox:latest');
    expect(withDefaultTag('localhost:5000/x')).toBe('localhost:5000/x:latest');
    expect(withDefaultTag('quay.io/jupyter/base-notebook:2024')).toBe('quay.io/jupyter/base-notebook:2024');
    expect(pullFailure('nosuch')).toBe('failed to pull and unpack image "docker.io/library/nosuch:latest": failed to resolve reference "docker.io/library/nosuch:latest": docker.io/library/nosuch:latest: not found');
    expect(pullFailure('quay.io/a/b:1')).toContain('"quay.io/a/b:1"');
  });

  it('writes a wrapper that joins the cgroups, mounts (read-only where asked), changes directory and execs', () => {
    const script = wrapperScript({ podDir: '/n/p', name: 'c', cgroupProcs: ['/cg/cgroup.procs'], mounts: [{ source: "/d/it's", target: '/w', readOnly: true }], workingDir: '/w' });
    expect(script).toContain("echo $$ > '/cg/cgroup.procs'");
    expect(script).toMatch(/mount --bind '\/d\/it'\\''s' '\/n\/p\/.stage\/c\/0'/);
    expect(script).toMatch(/mount --bind '\/n\/p\/.stage\/c\/0' '\/w'/);
    expect(script).toMatch(/mount -o remount,bind,ro '\/w'/);
    expect(script.trim().split('\n').at(-1)).toBe('exec "$@"');
  });

  it('stages volume sources where no mountPath can hide them, and mounts parents before children', () => {
    expect(stagingDir('/tmp/node/pods/p', 'c', ['/home/jovyan'])).toBe('/tmp/node/pods/p/.stage/c');
    // An emptyDir at /tmp would hide a staging folder under the node's folder in /tmp.
    expect(stagingDir('/tmp/node/pods/p', 'c', ['/tmp', '/var/run/secrets/x'])).toBe('/mnt');
    expect(stagingDir('/tmp/node/pods/p', 'c', ['/tmp', '/mnt/data'])).toBe('/srv');
    const script = wrapperScript({ podDir: '/tmp/p', name: 'c', cgroupProcs: [], workingDir: undefined, mounts: [
      { source: '/tmp/p/volumes/sa', target: '/tmp/x/sa', readOnly: true },
      { source: '/tmp/p/volumes/tmp', target: '/tmp', readOnly: false },
    ] });
    const at = (re: RegExp) => script.split('\n').findIndex((l) => re.test(l));
    // Both sources bound into the stage before anything is mounted over /tmp; /tmp before /tmp/x/sa.
    expect(at(/--bind '\/tmp\/p\/volumes\/sa' '\/mnt\/1'/)).toBeLessThan(at(/--bind '\/mnt\/0' '\/tmp'$/));
    expect(at(/--bind '\/mnt\/0' '\/tmp'$/)).toBeLessThan(at(/--bind '\/mnt\/1' '\/tmp\/x\/sa'/));
    expect(at(/umount -R '\/mnt'/)).toBeGreaterThan(at(/--bind '\/mnt\/1' '\/tmp\/x\/sa'/));
  });
  it('binds the image\'s own files back, read-only, over a volume that covers them (the checkout under /tmp, an emptyDir at /tmp)', () => {
    const script = wrapperScript({ podDir: '/n/p', name: 'c', cgroupProcs: [], workingDir: undefined, imageDirs: ['/tmp/ci/repo', '/home/u/jupyter'], mounts: [
      { source: '/n/p/volumes/tmp', target: '/tmp', readOnly: false },
    ] });
    const at = (re: RegExp) => script.split('\n').findIndex((l) => re.test(l));
    expect(at(/--bind '\/tmp\/ci\/repo' '\/n\/p\/.stage\/c\/1'/)).toBeGreaterThan(-1);
    expect(at(/--bind '\/n\/p\/.stage\/c\/0' '\/tmp'$/)).toBeLessThan(at(/--bind '\/n\/p\/.stage\/c\/1' '\/tmp\/ci\/repo'/));
    expect(at(/remount,bind,ro '\/tmp\/ci\/repo'/)).toBeGreaterThan(-1);
    // Nothing covers the Jupyter environment: it is not mounted at all.
    expect(script).not.toContain('/home/u/jupyter');
  });
});
