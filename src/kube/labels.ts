/**
 * How nbhub marks what it makes on Kubernetes. Objects are always found again by these labels, never by
 * name alone (KubeSpawner's name-collision advisory, CVE-2020-15110). Label values are limited (63
 * characters of [A-Za-z0-9._-]), so the exact user and server names ride in annotations and the lookup
 * key is `runtime`, a hash of both.
 */
export const LABELS = {
  name: 'app.kubernetes.io/name', // always 'nbhub'
  managedBy: 'app.kubernetes.io/managed-by', // always 'nbhub'
  component: 'app.kubernetes.io/component', // COMPONENTS
  instance: 'app.kubernetes.io/instance', // the hub's id: replicas of one hub share it
  user: 'hub.nbhub.io/user', // the user's name made label-safe (for selecting a user's objects; not unique)
  server: 'hub.nbhub.io/server', // the server's name made label-safe ('' for the default server)
  runtime: 'hub.nbhub.io/runtime', // runtimeKey(user, server): the exact, collision-free key
} as const;

export const ANNOTATIONS = {
  user: 'hub.nbhub.io/user', // the exact user name
  server: 'hub.nbhub.io/server', // the exact server name
} as const;

export const COMPONENTS = { runtime: 'runtime', workspace: 'workspace', token: 'runtime-token', agent: 'agent', hub: 'hub' } as const;

/** A label value (≤ 63 of [A-Za-z0-9._-], alphanumeric at both ends, may be empty): readable, not unique. */
export const labelValue = (s: string): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');

/** The instance label's value for a hub id: what the spawner labels and the agents and the hub select. */
export const instanceLabel = (hubId: string): string => labelValue(hubId);
