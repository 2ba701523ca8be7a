import { Watch, type CoreV1Event, type KubeConfig, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
// The generated deserializer (strings → Date, as the typed list calls return them) is not re-exported at the top.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { makeCoreApi } from './client.js';
import type { RequestCounter } from './counter.js';

export interface ListPage<T> {
  items: T[];
  resourceVersion: string;
  continue?: string | undefined;
}

export interface ListOptions {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  limit: number;
  continue?: string | undefined;
}

export interface WatchQuery {
  labelSelector?: string | undefined;
  fieldSelector?: string | undefined;
  resourceVersion: string;
  allowWatchBookmarks: true;
  timeoutSeconds: number;
}

/** A raw watch event: ADDED, MODIFIED, DELETED (object: T), BOOKMARK (object: metadata only), ERROR (object: a Status). */
export type WatchEventHandler = (type: string, object: unknown) => void;

/**
 * The part of the API a watch needs, for one kind in one namespace (kysely-style narrow type: a fake is a
 * few lines, and the real one is the only file that knows client-node's list and Watch calls).
 */
export interface ResourceSource<T extends KubernetesObject> {
  /** "pods in default", for logs. */
  readonly description: string;
  list(options: ListOptions): Promise<ListPage<T>>;
  /** Resolves once the response started (or failed: then `done` is called with the error). `done(null)`: the server ended it. */
  watch(query: WatchQuery, onEvent: WatchEventHandler, done: (err: unknown) => void): Promise<{ abort(): void }>;
}

export type WatchedKind = 'pods' | 'events';

const MODEL: Record<WatchedKind, string> = { pods: 'V1Pod', events: 'CoreV1Event' };

export interface KindTypes {
  pods: V1Pod;
  events: CoreV1Event;
}

/** Pods or (core/v1) events in one namespace, through client-node: its typed list, and its Watch for the stream. */
export const kubeSource = <K extends WatchedKind>(kc: KubeConfig, kind: K, namespace: string, counter: RequestCounter): ResourceSource<KindTypes[K]> => {
  const core = makeCoreApi(kc, counter);
  const watcher = new Watch(kc);
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/${kind}`;
  return {
    description: `${kind} in ${namespace}`,
    async list({ labelSelector, fieldSelector, limit, continue: cont }) {
      const params = { namespace, labelSelector, fieldSelector, limit, _continue: cont };
      const res = kind === 'pods' ? await core.listNamespacedPod(params) : await core.listNamespacedEvent(params);
      return { items: res.items as KindTypes[K][], resourceVersion: res.metadata?.resourceVersion ?? '', continue: res.metadata?._continue };
    },
    async watch(query, onEvent, done) {
      counter.count('watch');
      const controller = await watcher.watch(
        path,
        { ...query },
        (type, obj) => onEvent(type, type === 'ERROR' || type === 'BOOKMARK' ? obj : ObjectSerializer.deserialize(obj, MODEL[kind])),
        done,
      );
      return { abort: () => controller.abort() };
    },
  };
};
