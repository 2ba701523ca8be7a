import type { KubernetesObject } from '@kubernetes/client-node';
import type { ChangeType } from './cache.js';

export interface Change<T> {
  type: ChangeType;
  object: T;
}

const key = (o: KubernetesObject): string => o.metadata?.name ?? '';

/**
 * What changed between the objects held and a fresh list (after a 410 Gone or a lost connection): new names
 * are ADDED, a different uid is the old one DELETED then a new one ADDED, a different resourceVersion is
 * MODIFIED, names no longer listed are DELETED (with the last state known). Pure, for the tests.
 */
export const relistChanges = <T extends KubernetesObject>(held: ReadonlyMap<string, T>, listed: readonly T[]): Change<T>[] => {
  const changes: Change<T>[] = [];
  const seen = new Set<string>();
  for (const obj of listed) {
    const name = key(obj);
    seen.add(name);
    const old = held.get(name);
    if (old === undefined) changes.push({ type: 'ADDED', object: obj });
    else if (old.metadata?.uid !== obj.metadata?.uid) {
      changes.push({ type: 'DELETED', object: old }, { type: 'ADDED', object: obj });
    } else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion) changes.push({ type: 'MODIFIED', object: obj });
  }
  for (const [name, old] of held) if (!seen.has(name)) changes.push({ type: 'DELETED', object: old });
  return changes;
};

/**
 * Whether `rv` is newer than `than`. Kubernetes says resourceVersions are opaque; etcd-backed ones are
 * integers, and only the event stream (which keeps nothing else) compares them, to skip what it reported.
 */
export const newerThan = (rv: string | undefined, than: string | undefined): boolean => {
  if (!rv) return false;
  if (!than) return true;
  try {
    return BigInt(rv) > BigInt(than);
  } catch {
    return rv !== than;
  }
};

/** A label selector string from a map: `a=b,c=d`. */
export const labelSelector = (labels: Readonly<Record<string, string>> | undefined): string | undefined => {
  if (!labels) return undefined;
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.join(',') : undefined;
};
