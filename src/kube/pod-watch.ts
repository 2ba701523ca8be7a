import { CoreV1Api, KubeConfig, Watch, type V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import type { Logger } from '../core/logger.js';

/**
 * A minimal list-then-watch of pods by label and field selector, for the agent's node and the hub's agent
 * pods. Stand-in until the shared watch cache (ObjectCache, cache.ts) lands: then this file goes. Relists on
 * any end of the watch (410 Gone included) after a backoff; asks for bookmarks; holds only the pods there are.
 */
export class PodWatch {
  private readonly pods = new Map<string, V1Pod>();
  private listed = false;
  private stopped = false;
  private abort: AbortController | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly kc: KubeConfig,
    private readonly o: { namespace: string; labelSelector: string; fieldSelector?: string; log: Logger },
  ) {}

  start(): void {
    void this.run();
  }

  /** The pods now (by uid); null before the first list. */
  current(): V1Pod[] | null {
    return this.listed ? [...this.pods.values()] : null;
  }

  /** Called after each change (and after each relist). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    try {
      const api = this.kc.makeApiClient(CoreV1Api);
      const q = { labelSelector: this.o.labelSelector, ...(this.o.fieldSelector ? { fieldSelector: this.o.fieldSelector } : {}) };
      const list = this.o.namespace ? await api.listNamespacedPod({ namespace: this.o.namespace, ...q }) : await api.listPodForAllNamespaces(q);
      this.pods.clear();
      for (const p of list.items) if (p.metadata?.uid) this.pods.set(p.metadata.uid, p);
      this.listed = true;
      this.changed();
      const path = this.o.namespace ? `/api/v1/namespaces/${this.o.namespace}/pods` : '/api/v1/pods';
      this.abort = await new Watch(this.kc).watch(
        path,
        { ...q, allowWatchBookmarks: true, resourceVersion: list.metadata?.resourceVersion },
        (type, obj: V1Pod) => {
          const uid = obj.metadata?.uid;
          if (type === 'BOOKMARK' || type === 'ERROR' || !uid) return;
          this.failures = 0;
          if (type === 'DELETED') this.pods.delete(uid);
          else this.pods.set(uid, obj);
          this.changed();
        },
        (err: unknown) => this.again(err),
      );
    } catch (err) {
      this.again(err);
    }
  }

  private again(err: unknown): void {
    if (this.stopped) return;
    this.abort = undefined;
    // A watch the server closed in time (no error) is resumed at once; failures wait longer each time.
    if (!err) this.failures = 0;
    const wait = Math.min(30_000, 250 * 2 ** Math.min(this.failures++, 7));
    if (err) this.o.log.warn({ err: err instanceof Error ? err.message : JSON.stringify(err), wait }, 'pod watch ended; listing again');
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), wait);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

/** The kubeconfig at `path`, or in cluster (the pod's service account) when empty. */
export const loadKubeConfig = (path: string): KubeConfig => {
  const kc = new KubeConfig();
  if (path) kc.loadFromFile(path);
  else kc.loadFromCluster();
  return kc;
};

/** Empty: the kubeconfig context's namespace, in cluster the pod's own (mounted with its service account), else default. */
export const namespaceOf = (kc: KubeConfig, configured: string, kubeconfig: string): string => {
  if (configured) return configured;
  const ctx = kc.getContextObject(kc.getCurrentContext());
  if (ctx?.namespace) return ctx.namespace;
  if (!kubeconfig) {
    try {
      return readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
    } catch {
      // not in a pod
    }
  }
  return 'default';
};
