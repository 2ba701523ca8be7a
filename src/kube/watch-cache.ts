import type { KubernetesObject } from '@kubernetes/client-node';
import type { ChangeType, ObjectCache, ObjectStream } from './cache.js';
import { ListWatch, type ListWatchOptions } from './list-watch.js';
import { newerThan, relistChanges } from './relist.js';

type Listener<T> = (type: ChangeType, obj: T) => void;

/** Listeners and the first-sync promise, shared by the cache and the stream. */
class Fanout<T> {
  private readonly listeners = new Set<Listener<T>>();
  private resolveSynced!: () => void;
  readonly syncedPromise = new Promise<void>((resolve) => (this.resolveSynced = resolve));

  constructor(private readonly onListenerError: (err: unknown) => void) {}

  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(type: ChangeType, obj: T): void {
    for (const l of this.listeners) {
      // One listener's bug must not stop the watch or the other listeners.
      try {
        l(type, obj);
      } catch (err) {
        this.onListenerError(err);
      }
    }
  }

  markSynced(): void {
    this.resolveSynced();
  }
}

const nameOf = (o: KubernetesObject): string => o.metadata?.name ?? '';

const hasLabels = (o: KubernetesObject, labels: Readonly<Record<string, string>> | undefined): boolean => {
  if (!labels) return true;
  const own = o.metadata?.labels ?? {};
  return Object.entries(labels).every(([k, v]) => own[k] === v);
};

/**
 * The shared watch of one kind (pods) in one namespace, holding the objects that exist now. The initial
 * list is reported as ADDED; after a relist, what changed meanwhile is reported (ADDED, MODIFIED, DELETED)
 * so that no pod is lost while the watch was down.
 */
export class WatchCache<T extends KubernetesObject> implements ObjectCache<T> {
  private readonly objects = new Map<string, T>();
  private readonly fanout: Fanout<T>;
  private readonly loop: ListWatch;

  constructor(options: ListWatchOptions) {
    this.fanout = new Fanout<T>((err) => options.logger.error({ err }, 'kube watch listener threw'));
    this.loop = new ListWatch(options, {
      listed: (items, _rv, first) => {
        const listed = items as T[];
        const changes = relistChanges(this.objects, listed);
        this.objects.clear();
        for (const o of listed) this.objects.set(nameOf(o), o);
        for (const c of changes) this.fanout.emit(c.type, c.object);
        if (first) this.fanout.markSynced();
      },
      changed: (type, object) => {
        const obj = object as T;
        if (type === 'DELETED') this.objects.delete(nameOf(obj));
        else this.objects.set(nameOf(obj), obj);
        this.fanout.emit(type, obj);
      },
    });
    this.loop.start();
  }

  /** Where the next watch starts (advanced by events and bookmarks). */
  get resourceVersion(): string {
    return this.loop.resourceVersion;
  }

  get size(): number {
    return this.objects.size;
  }

  synced(): Promise<void> {
    return this.fanout.syncedPromise;
  }

  get(name: string): T | undefined {
    return this.objects.get(name);
  }

  list(labels?: Readonly<Record<string, string>>): T[] {
    return [...this.objects.values()].filter((o) => hasLabels(o, labels));
  }

  on(listener: Listener<T>): () => void {
    return this.fanout.on(listener);
  }

  stop(): void {
    this.loop.stop();
  }
}

/**
 * A watch whose objects are not kept (Events). The initial list is history and is not reported; after a
 * relist only objects newer than the last resourceVersion it handled are reported (as ADDED, oldest first),
 * so memory stays one resourceVersion however many events go by.
 */
export class WatchStream<T extends KubernetesObject> implements ObjectStream<T> {
  private readonly fanout: Fanout<T>;
  private readonly loop: ListWatch;
  private handled = '';

  constructor(options: ListWatchOptions) {
    this.fanout = new Fanout<T>((err) => options.logger.error({ err }, 'kube watch listener threw'));
    this.loop = new ListWatch(options, {
      listed: (items, rv, first) => {
        if (!first) {
          const fresh = (items as T[]).filter((o) => newerThan(o.metadata?.resourceVersion, this.handled));
          fresh.sort((a, b) => (newerThan(a.metadata?.resourceVersion, b.metadata?.resourceVersion) ? 1 : newerThan(b.metadata?.resourceVersion, a.metadata?.resourceVersion) ? -1 : 0));
          for (const o of fresh) this.fanout.emit('ADDED', o);
        }
        this.handled = rv;
        if (first) this.fanout.markSynced();
      },
      changed: (type, object) => {
        const obj = object as T;
        if (obj.metadata?.resourceVersion) this.handled = obj.metadata.resourceVersion;
        this.fanout.emit(type, obj);
      },
    });
    this.loop.start();
  }

  get resourceVersion(): string {
    return this.loop.resourceVersion;
  }

  synced(): Promise<void> {
    return this.fanout.syncedPromise;
  }

  on(listener: Listener<T>): () => void {
    return this.fanout.on(listener);
  }

  stop(): void {
    this.loop.stop();
  }
}
