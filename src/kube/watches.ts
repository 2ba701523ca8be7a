import type { CoreV1Event, KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../core/logger.js';
import type { RequestCounter } from './counter.js';
import type { ListWatchOptions } from './list-watch.js';
import { kubeSource } from './source.js';
import { WatchCache, WatchStream } from './watch-cache.js';

export interface NamespaceWatchOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  counter: RequestCounter;
  logger: Logger;
  /** Pods carrying all of these labels (e.g. nbhub's managed-by and component). */
  podLabels?: Readonly<Record<string, string>>;
  /** Which pods by field (e.g. `spec.nodeName=node-1` for a node's agent). */
  podFields?: string;
  /** Which events (a field selector, e.g. `involvedObject.kind=Pod`); events carry no labels of their pod. */
  eventFields?: string;
  tuning?: Pick<ListWatchOptions, 'pageSize' | 'timeoutSeconds' | 'backoff' | 'idleMs'>;
}

/** The shared pod cache of one namespace, on the real API (what src/cli builds for the spawner and the agent). */
export const watchPods = (o: NamespaceWatchOptions): WatchCache<V1Pod> =>
  new WatchCache<V1Pod>({
    ...o.tuning,
    source: kubeSource(o.kubeConfig, 'pods', o.namespace, o.counter),
    counter: o.counter,
    logger: o.logger,
    labels: o.podLabels,
    fieldSelector: o.podFields,
  });

/** The shared event stream of one namespace. */
export const watchEvents = (o: NamespaceWatchOptions): WatchStream<CoreV1Event> =>
  new WatchStream<CoreV1Event>({
    ...o.tuning,
    source: kubeSource(o.kubeConfig, 'events', o.namespace, o.counter),
    counter: o.counter,
    logger: o.logger,
    fieldSelector: o.eventFields,
  });
