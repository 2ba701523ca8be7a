import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ChangeType, ObjectCache, ObjectStream } from '../../kube/cache.js';

/**
 * INTERIM, to be deleted once src/kube/ has the shared watch (the "watch" helper's): a minimal list+watch of one
 * kind in one namespace behind the ObjectCache interface, so the spawner is written against that interface.
 * Relists on any watch end (410 Gone included) after a short pause; no bookmarks, no backoff.
 */
export class InterimWatch<T extends KubernetesObject> implements ObjectCache<T>, ObjectStream<T> {
  private readonly objects = new Map<string, T>();
  private readonly listeners = new Set<(type: ChangeType, obj: T) => void>();
  private first: Promise<void>;
  private abort: AbortController | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly kc: KubeConfig,
    /** e.g. /api/v1/namespaces/nb/pods */
    private readonly path: string,
    private readonly listOnce: () => Promise<{ items: T[]; metadata?: { resourceVersion?: string } }>,
    private readonly keep: boolean,
  ) {
    this.first = this.relist();
    this.first.catch(() => undefined);
  }

  private async relist(): Promise<void> {
    const list = await this.listOnce();
    const seen = new Set<string>();
    for (const o of list.items) {
      const name = o.metadata?.name ?? '';
      seen.add(name);
      const before = this.objects.get(name);
      if (this.keep) this.objects.set(name, o);
      if (this.keep && before?.metadata?.resourceVersion !== o.metadata?.resourceVersion) this.emit(before ? 'MODIFIED' : 'ADDED', o);
    }
    for (const [name, o] of this.objects) {
      if (!seen.has(name)) {
        this.objects.delete(name);
        this.emit('DELETED', o);
      }
    }
    this.abort = await new Watch(this.kc).watch(
      this.path,
      { resourceVersion: list.metadata?.resourceVersion },
      (type, obj: T) => {
        if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') return;
        const name = obj.metadata?.name ?? '';
        if (this.keep) {
          if (type === 'DELETED') this.objects.delete(name);
          else this.objects.set(name, obj);
        }
        this.emit(type, obj);
      },
      () => this.again(),
    );
  }

  private again(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.relist().catch(() => this.again());
    }, 500);
    this.timer.unref();
  }

  private emit(type: ChangeType, obj: T): void {
    for (const l of this.listeners) l(type, obj);
  }

  synced(): Promise<void> {
    return this.first;
  }

  get(name: string): T | undefined {
    return this.objects.get(name);
  }

  list(labels: Readonly<Record<string, string>> = {}): T[] {
    return [...this.objects.values()].filter((o) => Object.entries(labels).every(([k, v]) => o.metadata?.labels?.[k] === v));
  }

  on(listener: (type: ChangeType, obj: T) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort?.abort();
  }
}
