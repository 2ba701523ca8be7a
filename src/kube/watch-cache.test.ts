import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/logger.js';
import { RequestCounter } from './counter.js';
import type { ListPage, ResourceSource, WatchEventHandler, WatchQuery } from './source.js';
import { WatchCache, WatchStream } from './watch-cache.js';

const pod = (name: string, rv: string, uid = `uid-${name}`, labels: Record<string, string> = { app: 'x' }): KubernetesObject => ({
  metadata: { name, resourceVersion: rv, uid, labels },
});

/** A scripted source: the test decides what each list returns and drives each open watch. */
class ScriptedSource implements ResourceSource<KubernetesObject> {
  readonly description = 'pods in test';
  lists: ListPage<KubernetesObject>[][] = [];
  listCalls: { limit: number; continue?: string | undefined }[] = [];
  watches: { query: WatchQuery; emit: WatchEventHandler; end(err?: unknown): void; aborted: boolean }[] = [];
  failWatch: unknown = undefined;

  async list(o: { limit: number; continue?: string | undefined }): Promise<ListPage<KubernetesObject>> {
    this.listCalls.push(o);
    const pages = this.lists[0];
    if (!pages) throw Object.assign(new Error('no list scripted'), { statusCode: 500 });
    const page = pages.shift()!;
    if (pages.length === 0) this.lists.shift();
    return page;
  }

  async watch(query: WatchQuery, onEvent: WatchEventHandler, done: (err: unknown) => void): Promise<{ abort(): void }> {
    if (this.failWatch !== undefined) {
      done(this.failWatch);
      return { abort() {} };
    }
    const w = { query, emit: onEvent, end: (err: unknown = null) => done(err), aborted: false };
    this.watches.push(w);
    return { abort: () => (w.aborted = true) };
  }
}

const until = async (cond: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

const setup = (source: ScriptedSource, kind: 'cache' | 'stream' = 'cache') => {
  const counter = new RequestCounter();
  const seen: string[] = [];
  const options = { source, counter, logger: silentLogger, labels: { app: 'x' }, pageSize: 2, backoff: () => 1, timeoutSeconds: () => 300 };
  const w = kind === 'cache' ? new WatchCache<KubernetesObject>(options) : new WatchStream<KubernetesObject>(options);
  w.on((type, o) => seen.push(`${type} ${o.metadata?.name}`));
  return { w, counter, seen };
};

describe('WatchCache', () => {
  it('lists page by page, then watches from the list resourceVersion with bookmarks', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('a', '5'), pod('b', '6')], resourceVersion: '10', continue: 'c1' }, { items: [pod('c', '7')], resourceVersion: '10' }]];
    const { w, seen } = setup(s);
    await (w as WatchCache<KubernetesObject>).synced();
    expect(s.listCalls).toEqual([{ labelSelector: 'app=x', fieldSelector: undefined, limit: 2, continue: undefined }, { labelSelector: 'app=x', fieldSelector: undefined, limit: 2, continue: 'c1' }]);
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'ADDED c']);
    await until(() => s.watches.length === 1);
    expect(s.watches[0]!.query).toMatchObject({ resourceVersion: '10', allowWatchBookmarks: true, labelSelector: 'app=x', timeoutSeconds: 300 });
    w.stop();
  });

  it('follows events and bookmarks, and re-watches from the last resourceVersion when the server ends the watch', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('a', '5')], resourceVersion: '10' }]];
    const { w, seen, counter } = setup(s);
    const cache = w as WatchCache<KubernetesObject>;
    await until(() => s.watches.length === 1);
    s.watches[0]!.emit('ADDED', pod('b', '11'));
    s.watches[0]!.emit('MODIFIED', pod('a', '12'));
    s.watches[0]!.emit('DELETED', pod('b', '13'));
    s.watches[0]!.emit('BOOKMARK', { metadata: { resourceVersion: '20' } });
    expect(cache.list().map((p) => p.metadata?.name)).toEqual(['a']);
    expect(cache.get('a')?.metadata?.resourceVersion).toBe('12');
    expect(cache.resourceVersion).toBe('20');
    s.watches[0]!.end(null);
    await until(() => s.watches.length === 2);
    expect(s.watches[1]!.query.resourceVersion).toBe('20');
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'MODIFIED a', 'DELETED b']);
    expect(counter.bookmarks).toBe(1);
    expect(counter.reconnects).toBe(0);
    w.stop();
  });

  it('relists on a 410 ERROR event and reports what changed meanwhile', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('a', '5'), pod('b', '6'), pod('c', '7')], resourceVersion: '10' }]];
    const { w, seen, counter } = setup(s);
    await until(() => s.watches.length === 1);
    // Meanwhile: a deleted, b unchanged, c modified, n new.
    s.lists = [[{ items: [pod('b', '6'), pod('c', '30'), pod('n', '31')], resourceVersion: '40' }]];
    s.watches[0]!.emit('ERROR', { kind: 'Status', code: 410, reason: 'Expired' });
    await until(() => s.watches.length === 2);
    expect(seen.slice(3)).toEqual(['MODIFIED c', 'ADDED n', 'DELETED a']);
    expect(s.watches[1]!.query.resourceVersion).toBe('40');
    expect(counter.gone).toBe(1);
    expect(counter.relists).toBe(1);
    expect((w as WatchCache<KubernetesObject>).list().map((p) => p.metadata?.name).sort()).toEqual(['b', 'c', 'n']);
    w.stop();
  });

  it('relists on a 410 HTTP status, and reports a pod replaced under the same name as deleted then added', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('a', '5')], resourceVersion: '10' }]];
    const { w, seen } = setup(s);
    await until(() => s.watches.length === 1);
    s.lists = [[{ items: [pod('a', '50', 'uid-new')], resourceVersion: '60' }]];
    s.watches[0]!.end(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await until(() => s.watches.length === 2);
    expect(seen).toEqual(['ADDED a', 'DELETED a', 'ADDED a']);
    expect((w as WatchCache<KubernetesObject>).get('a')?.metadata?.uid).toBe('uid-new');
    w.stop();
  });

  it('keeps retrying watches that fail, with growing backoff, and never stops', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [], resourceVersion: '10' }]];
    const delays: number[] = [];
    const counter = new RequestCounter();
    s.failWatch = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const w = new WatchCache<KubernetesObject>({ source: s, counter, logger: silentLogger, backoff: (n) => (delays.push(n), 1) });
    await until(() => counter.reconnects >= 5);
    expect(delays.slice(0, 5)).toEqual([0, 1, 2, 3, 4]);
    s.failWatch = undefined;
    await until(() => s.watches.length === 1);
    expect(s.watches[0]!.query.resourceVersion).toBe('10');
    w.stop();
  });

  it('retries a failed list until it succeeds', async () => {
    const s = new ScriptedSource();
    const { w } = setup(s);
    await new Promise((r) => setTimeout(r, 20));
    expect(s.listCalls.length).toBeGreaterThan(1);
    s.lists = [[{ items: [pod('a', '5')], resourceVersion: '10' }]];
    await (w as WatchCache<KubernetesObject>).synced();
    expect((w as WatchCache<KubernetesObject>).get('a')).toBeDefined();
    w.stop();
  });

  it('filters by labels on read', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('a', '5', 'u1', { app: 'x', user: 'al' }), pod('b', '6', 'u2', { app: 'x', user: 'bo' })], resourceVersion: '10' }]];
    const { w } = setup(s);
    await (w as WatchCache<KubernetesObject>).synced();
    expect((w as WatchCache<KubernetesObject>).list({ user: 'bo' }).map((p) => p.metadata?.name)).toEqual(['b']);
    w.stop();
  });
});

describe('WatchStream', () => {
  it('does not report the initial list, and after a relist reports only what is newer than what it handled', async () => {
    const s = new ScriptedSource();
    s.lists = [[{ items: [pod('e1', '5'), pod('e2', '6')], resourceVersion: '10' }]];
    const { w, seen } = setup(s, 'stream');
    await w.synced();
    await until(() => s.watches.length === 1);
    s.watches[0]!.emit('ADDED', pod('e3', '12'));
    s.lists = [[{ items: [pod('e1', '5'), pod('e2', '6'), pod('e3', '12'), pod('e5', '15'), pod('e4', '14')], resourceVersion: '20' }]];
    s.watches[0]!.emit('ERROR', { code: 410 });
    await until(() => s.watches.length === 2);
    expect(seen).toEqual(['ADDED e3', 'ADDED e4', 'ADDED e5']);
    w.stop();
  });
});
