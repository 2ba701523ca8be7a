/**
 * What a cluster consumes (issue 19, item 5), in the usage series every runtime already has (DESIGN.md idea 4).
 *
 * A series is named by (user, server, kernel). A cluster's series are (CLUSTER_USAGE_USER, cluster name,
 * component key), the component key '' being the whole cluster. CLUSTER_USAGE_USER starts with `_`, which no
 * user name may (names.ts: a letter or digit first), so a cluster's series can never be taken for a user's
 * server, whatever the cluster is called; the samples, rollups, retention and restarts of runtimes apply as they
 * are. The agent finds a cluster's processes by their NBHUB_CLUSTER marker and reports the cluster under this key.
 */
export const CLUSTER_USAGE_USER = '_clusters';

export const isClusterUsage = (user: string): boolean => user === CLUSTER_USAGE_USER;

/**
 * One part of a cluster: its master, a worker (the worker process itself: what it runs is counted apart), an
 * application's executors (with the Python workers they started) on every worker, or a driver a worker runs
 * for a cluster-mode submission. An application's and a driver's `user` is its SPARK_USER ('' when unknown).
 */
export type ClusterComponent =
  | { kind: 'master' }
  | { kind: 'worker'; worker: string }
  | { kind: 'executors'; application: string; user: string }
  | { kind: 'driver'; driver: string; user: string };

/**
 * The series key of a component: `master`, `worker-<n>`, `app/<app id>/<user>`, `driver/<driver id>/<user>`.
 * Spark's ids hold no `/`; the user comes last, so any user string parses back.
 */
export const componentKey = (c: ClusterComponent): string => {
  switch (c.kind) {
    case 'master':
      return 'master';
    case 'worker':
      return `worker-${c.worker}`;
    case 'executors':
      return `app/${c.application}/${c.user}`;
    case 'driver':
      return `driver/${c.driver}/${c.user}`;
  }
};

/** The component a series key names; undefined for '' (the whole cluster) and for keys this hub never writes. */
export const parseComponentKey = (key: string): ClusterComponent | undefined => {
  if (key === 'master') return { kind: 'master' };
  if (key.startsWith('worker-') && key.length > 'worker-'.length) return { kind: 'worker', worker: key.slice('worker-'.length) };
  const first = key.indexOf('/');
  const second = first < 0 ? -1 : key.indexOf('/', first + 1);
  if (second < 0) return undefined;
  const head = key.slice(0, first);
  const id = key.slice(first + 1, second);
  const user = key.slice(second + 1);
  if (id === '') return undefined;
  if (head === 'app') return { kind: 'executors', application: id, user };
  if (head === 'driver') return { kind: 'driver', driver: id, user };
  return undefined;
};

/** A component as the usage API and /hub/metrics label it: `component` plus, for an application's parts, its id and user. */
export const componentLabels = (c: ClusterComponent): { component: string; application: string; user: string } => {
  switch (c.kind) {
    case 'master':
      return { component: 'master', application: '', user: '' };
    case 'worker':
      return { component: `worker-${c.worker}`, application: '', user: '' };
    case 'executors':
      return { component: 'executors', application: c.application, user: c.user };
    case 'driver':
      return { component: 'driver', application: c.driver, user: c.user };
  }
};
