import type { KubernetesObject } from '@kubernetes/client-node';

/** What a watch reports, as the API server spells it. BOOKMARK and ERROR never reach listeners. */
export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * One shared watch of one kind in one namespace (list, then watch from the list's resourceVersion; bookmarks;
 * 410 Gone → relist; reconnect with backoff). Reading it makes no request: `poll` of a thousand runtimes costs
 * nothing. It holds the objects that exist now (memory bounded by what runs, not by history).
 */
export interface ObjectCache<T extends KubernetesObject> {
  /** Resolves once the first list is in (and again at once after that). */
  synced(): Promise<void>;
  get(name: string): T | undefined;
  /** The objects whose labels include all of `labels`. */
  list(labels?: Readonly<Record<string, string>>): T[];
  /**
   * Called for every change seen after the listener was added; after a relist, for what changed meanwhile
   * (a pod gone while the watch was down is reported DELETED). Returns how to stop listening.
   */
  on(listener: (type: ChangeType, obj: T) => void): () => void;
  stop(): void;
}

/**
 * A watch whose objects are not kept (Events: many, short-lived, only interesting as they happen). After a
 * relist it reports only events newer than the last one it reported.
 */
export interface ObjectStream<T extends KubernetesObject> {
  synced(): Promise<void>;
  on(listener: (type: ChangeType, obj: T) => void): () => void;
  stop(): void;
}
