import { createHash } from 'node:crypto';
import { COMPONENTS, LABELS, labelValue } from '../../kube/labels.js';

/**
 * Names and labels of a runtime's objects. Two servers never share one (KubeSpawner's CVE-2020-15110:
 * `alice-x`'s default server and `alice`'s server `x` were one pod there): every name ends with a hash of
 * the exact user and server, and objects are found by the `runtime` label (that hash), never by name.
 */

/** sha256(user \0 server) in hex: \0 cannot occur in either, so no two pairs give the same input. */
export const runtimeKey = (user: string, server: string): string => createHash('sha256').update(`${user}\0${server}`).digest('hex');

/**
 * A DNS-1123 label fragment: lower-case ASCII letters, digits and '-', no '-' at either end, at most `max`.
 * What does not map (unicode, '.', '_', '@') becomes '-'; runs of '-' collapse. May be empty.
 */
export const safeFragment = (s: string, max: number): string =>
  s
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // the accents NFKD split off: ë → e
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, max)
    .replace(/^-+|-+$/g, '');

/**
 * `nbhub-<user>-<server>-<8 hex>` (≤ 63, a valid DNS-1123 label, so fit for pods, claims, secrets and
 * services alike); the readable parts are cut to fit, the hash is always whole.
 */
export const objectName = (user: string, server: string): string => {
  const hash = runtimeKey(user, server).slice(0, 8);
  const u = safeFragment(user, 20);
  const s = safeFragment(server, 20);
  return ['nbhub', u, s, hash].filter((p) => p !== '').join('-');
};

/** The names of one runtime's objects. */
export const namesOf = (user: string, server: string) => {
  const base = objectName(user, server);
  return { pod: base, claim: `${base}-ws`, secret: `${base}-tok`, key: runtimeKey(user, server) };
};

/** The labels every object of a runtime carries; `component` says which object it is. */
export const runtimeLabels = (user: string, server: string, instance: string, component: string): Record<string, string> => ({
  [LABELS.name]: 'nbhub',
  [LABELS.managedBy]: 'nbhub',
  [LABELS.component]: component,
  [LABELS.instance]: labelValue(instance),
  [LABELS.user]: labelValue(user),
  [LABELS.server]: labelValue(server),
  // A label value is at most 63: the first 63 of the 64 hex digits keep it collision-free in practice.
  [LABELS.runtime]: runtimeKey(user, server).slice(0, 63),
});

/** The selector that finds a runtime's objects of one component (exact: the hash, not the readable names). */
export const runtimeSelector = (user: string, server: string, component: string): Record<string, string> => ({
  [LABELS.managedBy]: 'nbhub',
  [LABELS.component]: component,
  [LABELS.runtime]: runtimeKey(user, server).slice(0, 63),
});

export const selectorString = (labels: Readonly<Record<string, string>>): string =>
  Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export { COMPONENTS, labelValue };
