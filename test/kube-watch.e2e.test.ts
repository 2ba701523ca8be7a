/**
 * The shared watch (src/kube/) against a REAL control plane (scripts/kube-local.sh, no node: unscheduled pods
 * are real objects): 410 Gone from a compacted etcd relists and loses no pod, the API server restarted
 * mid-watch is survived, a conflicting update is retried, bookmarks are asked for and advance the
 * resourceVersion. kube-apiserver runs with pods uncached (`--watch-cache-sizes=pods#0`: a pod watch reads
 * etcd, so an old resourceVersion really is compacted away after `--etcd-compaction-interval`) and events
 * cached (the watch cache is what sends bookmarks; events are uncached by default, hence `events#1000`).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiException, CoreV1Api, KubeConfig, type CoreV1Event, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { makeCoreApi } from '../src/kube/client.js';
import { RequestCounter } from '../src/kube/counter.js';
import { isConflict } from '../src/kube/errors.js';
import { updateWithRetry } from '../src/kube/retry.js';
import { kubeSource, type ResourceSource, type WatchQuery } from '../src/kube/source.js';
import { WatchCache, WatchStream } from '../src/kube/watch-cache.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCRIPT = join(ROOT, 'scripts/kube-local.sh');

/** Where kube-local.sh keeps its binaries (the same key it computes); the tests skip only when they are missing. */
const binDir = (): string => {
  const mod = join(ROOT, 'scripts/kube-local');
  const key = createHash('sha256')
    .update(Buffer.concat(['go.mod', 'go.sum', 'etcd/main.go'].map((f) => readFileSync(join(mod, f)))))
    .digest('hex')
    .slice(0, 16);
  return process.env['NBHUB_KUBE_BIN'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local/share'), 'nbhub/kube-bin', key);
};
const haveBinaries = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].every((b) => existsSync(join(binDir(), b)));

const NS = 'nbhub-watch';
const LABELS = { 'app.kubernetes.io/managed-by': 'nbhub', 'test.nbhub.io/watch': 'yes' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
};

/** A pass-through source that records the watch queries, and can hold new watches back ("the watch is down"). */
class GatedSource<T extends KubernetesObject> implements ResourceSource<T> {
  readonly queries: WatchQuery[] = [];
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  /** The watch now open (set once its response started). */
  current: { abort(): void } | undefined;
  constructor(private readonly inner: ResourceSource<T>) {}
  get description() {
    return this.inner.description;
  }
  list(o: Parameters<ResourceSource<T>['list']>[0]) {
    return this.inner.list(o);
  }
  async watch(query: WatchQuery, onEvent: Parameters<ResourceSource<T>['watch']>[1], done: (err: unknown) => void) {
    if (this.gate) await this.gate;
    this.queries.push(query);
    const handle = await this.inner.watch(query, onEvent, done);
    this.current = handle;
    return handle;
  }
  /** Drops the open watch and holds the next ones until `resume`. */
  pause(): void {
    this.gate = new Promise((r) => (this.open = r));
    this.current?.abort();
  }
  resume(): void {
    this.gate = undefined;
    this.open?.();
  }
}

const pod = (name: string, labels: Record<string, string> = LABELS): V1Pod => ({
  metadata: { name, labels },
  // No node exists: the pod stays Pending, a real object all the same.
  spec: { containers: [{ name: 'c', image: 'nbhub/none' }], automountServiceAccountToken: false },
});

describe.skipIf(!haveBinaries)('the shared watch on a real control plane', () => {
  let dir = '';
  let kc: KubeConfig;
  let core: CoreV1Api;
  const names = (c: WatchCache<V1Pod>) => c.list().map((p) => p.metadata?.name).sort();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nbhub-kube-watch-'));
    const out = execFileSync(SCRIPT, ['up', '--dir', dir, '--no-node'], {
      env: { ...process.env, NBHUB_KUBE_APISERVER_FLAGS: '--watch-cache-sizes=pods#0,events#1000 --etcd-compaction-interval=2s' },
      encoding: 'utf8',
    });
    kc = new KubeConfig();
    kc.loadFromFile(out.trim().split('\n').pop()!);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    // The ServiceAccount admission refuses pods until the controller has made the namespace's default account.
    await until('the default service account', async () => (await core.listNamespacedServiceAccount({ namespace: NS })).items.length > 0);
  }, 120_000);

  afterAll(() => {
    if (dir) {
      execFileSync(SCRIPT, ['down', '--dir', dir], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('relists after 410 Gone and reports the pods created and deleted while the watch was down', async () => {
    for (const n of ['g-a', 'g-b', 'g-c']) await core.createNamespacedPod({ namespace: NS, body: pod(n) });
    await core.createNamespacedPod({ namespace: NS, body: pod('g-other', { other: 'x' }) });
    const counter = new RequestCounter();
    const source = new GatedSource(kubeSource(kc, 'pods', NS, counter));
    const cache = new WatchCache<V1Pod>({ source, counter, logger: silentLogger, labels: LABELS, pageSize: 2, backoff: () => 200 });
    const seen: string[] = [];
    cache.on((type, p) => seen.push(`${type} ${p.metadata?.name}`));
    try {
      await cache.synced();
      await until('the three pods', () => names(cache).join() === 'g-a,g-b,g-c');
      expect(counter.list).toBeGreaterThanOrEqual(2); // pages of 2: the list was paged with limit/continue
      await until('the watch open', () => source.current !== undefined);
      const before = cache.resourceVersion;

      source.pause();
      await core.deleteNamespacedPod({ namespace: NS, name: 'g-a', gracePeriodSeconds: 0 });
      await core.createNamespacedPod({ namespace: NS, body: pod('g-d') });
      await core.patchNamespacedPod({ namespace: NS, name: 'g-b', body: [{ op: 'add', path: '/metadata/annotations', value: { touched: 'yes' } }] });
      // Wait until etcd has really compacted past `before`: a watch from there is answered 410.
      const probe = kubeSource(kc, 'pods', NS, new RequestCounter());
      await until(
        'etcd compaction past the paused watch',
        () =>
          new Promise<boolean>((resolve) => {
            let gone = false;
            void probe.watch({ resourceVersion: before, allowWatchBookmarks: true, timeoutSeconds: 1, labelSelector: 'nothing=here' }, (type, obj) => {
              if (type === 'ERROR' && (obj as { code?: number }).code === 410) gone = true;
            }, (err) => resolve(gone || (err as { statusCode?: number } | null)?.statusCode === 410));
          }),
        60_000,
      );
      seen.length = 0;
      source.resume();
      await until('the relist', () => counter.gone >= 1 && names(cache).join() === 'g-b,g-c,g-d').catch((e: unknown) => { throw new Error(`${String(e)}: ${JSON.stringify({ c: counter.snapshot(), seen, names: names(cache), q: source.queries })}`); });
      expect(counter.relists).toBeGreaterThanOrEqual(1);
      expect(seen).toEqual(expect.arrayContaining(['DELETED g-a', 'ADDED g-d', 'MODIFIED g-b']));
      expect(seen).not.toContain('ADDED g-other');
      expect(cache.get('g-b')?.metadata?.annotations?.['touched']).toBe('yes');

      // And it keeps watching after the relist.
      await core.createNamespacedPod({ namespace: NS, body: pod('g-e') });
      await until('g-e', () => cache.get('g-e') !== undefined);
    } finally {
      cache.stop();
    }
  }, 120_000);

  it('survives the API server restarted mid-watch and sees the pods created after', async () => {
    const counter = new RequestCounter();
    const cache = new WatchCache<V1Pod>({ source: kubeSource(kc, 'pods', NS, counter), counter, logger: silentLogger, labels: LABELS });
    try {
      await cache.synced();
      await core.createNamespacedPod({ namespace: NS, body: pod('r-a') });
      await until('r-a', () => cache.get('r-a') !== undefined);
      execFileSync(SCRIPT, ['restart-apiserver', '--dir', dir], { stdio: 'ignore' });
      await core.createNamespacedPod({ namespace: NS, body: pod('r-b') });
      await core.deleteNamespacedPod({ namespace: NS, name: 'r-a', gracePeriodSeconds: 0 });
      await until('the cache to recover', () => cache.get('r-b') !== undefined && cache.get('r-a') === undefined, 60_000);
      expect(counter.reconnects + counter.relists).toBeGreaterThanOrEqual(1);
    } finally {
      cache.stop();
    }
  }, 120_000);

  it('retries an update that conflicts with another writer', async () => {
    const counter = new RequestCounter();
    const api = makeCoreApi(kc, counter);
    // A ConfigMap, not a pod: the scheduler writes to an unscheduled pod's status on its own, a third writer.
    await api.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'c-a' }, data: { v: '1' } } });
    let reads = 0;
    const conflicts: unknown[] = [];
    const result = await updateWithRetry(
      async () => {
        const current = await api.readNamespacedConfigMap({ namespace: NS, name: 'c-a' });
        reads += 1;
        if (reads === 1) {
          // The other writer gets in between our read and our write.
          await core.patchNamespacedConfigMap({ namespace: NS, name: 'c-a', body: [{ op: 'add', path: '/metadata/annotations', value: { other: 'writer' } }] });
        }
        return current;
      },
      (p) => ({ ...p, metadata: { ...p.metadata, annotations: { ...p.metadata?.annotations, mine: 'too' } } }),
      async (next) => {
        try {
          return await api.replaceNamespacedConfigMap({ namespace: NS, name: 'c-a', body: next });
        } catch (err) {
          conflicts.push(err);
          throw err;
        }
      },
    );
    expect(conflicts).toHaveLength(1);
    expect(conflicts[0]).toBeInstanceOf(ApiException);
    expect(isConflict(conflicts[0])).toBe(true);
    expect(reads).toBe(2);
    expect(result.metadata?.annotations).toMatchObject({ other: 'writer', mine: 'too' });
    expect(counter.snapshot()).toMatchObject({ list: 0, watch: 0, other: 5 }); // a create, 2 reads, 2 replaces
  });

  it('asks for bookmarks and moves its resourceVersion with them', async () => {
    // A namespace of its own: the scheduler keeps writing FailedScheduling events about the other tests' pods.
    const ns = 'nbhub-watch-bookmarks';
    await core.createNamespace({ body: { metadata: { name: ns } } });
    const counter = new RequestCounter();
    const source = new GatedSource(kubeSource(kc, 'events', ns, counter));
    // Only events about pods; the events made below are about a ConfigMap, so they come as bookmarks only.
    const stream = new WatchStream<CoreV1Event>({ source, counter, logger: silentLogger, fieldSelector: 'involvedObject.kind=Pod', timeoutSeconds: () => 6 });
    const seen: string[] = [];
    stream.on((type, e) => seen.push(`${type} ${e.metadata?.name}`));
    try {
      await stream.synced();
      await until('the first watch', () => source.queries.length > 0);
      expect(source.queries[0]).toMatchObject({ allowWatchBookmarks: true, fieldSelector: 'involvedObject.kind=Pod', timeoutSeconds: 6 });
      const start = BigInt(stream.resourceVersion);
      for (let i = 0; i < 3; i++) {
        await core.createNamespacedEvent({
          namespace: ns,
          body: { metadata: { name: `cm-event-${i}` }, involvedObject: { kind: 'ConfigMap', name: 'x', namespace: ns }, reason: 'Test', message: 'not about a pod' },
        });
      }
      // The watch cache sends a bookmark shortly before each watch's timeout (and every minute).
      await until('a bookmark past the new events', () => counter.bookmarks > 0 && BigInt(stream.resourceVersion) > start, 30_000);
      await until('the re-watch from the bookmark', () => source.queries.length >= 2, 30_000);
      expect(BigInt(source.queries[source.queries.length - 1]!.resourceVersion)).toBeGreaterThan(start);
      expect(seen).toEqual([]);
      expect(counter.reconnects).toBe(0);
    } finally {
      stream.stop();
    }
  }, 60_000);
});

if (!haveBinaries) {
  describe('the shared watch on a real control plane', () => {
    it.skip(`needs the control-plane binaries in ${binDir()} (scripts/kube-local.sh build)`, () => {});
  });
}
