import type { V1Container, V1ObjectFieldSelector, V1Pod } from '@kubernetes/client-node';

/**
 * A container's environment as a kubelet builds it: envFrom first, then env in order (later wins), with
 * `$(VAR)` references expanded from what came before, and the service variables a kubelet adds.
 */
export type Lookup = {
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
};

/** A Secret or ConfigMap the env needs is missing: the kubelet reports CreateContainerConfigError and retries. */
export class ConfigError extends Error {}

export const fieldValue = (pod: V1Pod, sel: V1ObjectFieldSelector): string => {
  const path = sel.fieldPath;
  const m = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(path);
  if (m) return (m[1] === 'labels' ? pod.metadata?.labels : pod.metadata?.annotations)?.[m[2]!] ?? '';
  switch (path) {
    case 'metadata.name': return pod.metadata?.name ?? '';
    case 'metadata.namespace': return pod.metadata?.namespace ?? '';
    case 'metadata.uid': return pod.metadata?.uid ?? '';
    case 'spec.nodeName': return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec?.serviceAccountName ?? 'default';
    case 'status.podIP': return pod.status?.podIP ?? '';
    case 'status.hostIP': return pod.status?.hostIP ?? '';
    case 'status.podIPs': return (pod.status?.podIPs ?? []).map((p) => p.ip).join(',');
    case 'status.hostIPs': return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(',');
    default: throw new ConfigError(`unsupported fieldPath ${path}`);
  }
};

/** Labels and annotations as downward API files write them: key="value" lines, sorted. */
export const fieldFile = (pod: V1Pod, path: string): string => {
  if (path === 'metadata.labels' || path === 'metadata.annotations') {
    const map = (path === 'metadata.labels' ? pod.metadata?.labels : pod.metadata?.annotations) ?? {};
    return Object.keys(map).sort().map((k) => `${k}=${JSON.stringify(map[k])}`).join('\n');
  }
  return fieldValue(pod, { fieldPath: path });
};

/** Kubernetes' `$(VAR)` expansion: `$$(VAR)` escapes, unknown references stay as written. */
export const expand = (s: string, env: Record<string, string>): string =>
  s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (all === '$$') return '$';
    return name !== undefined && name in env ? env[name]! : all;
  });

const CPU_DIVISORS: Record<string, number> = { '1': 1, m: 0.001, '1m': 0.001 };

/** resourceFieldRef: limits.cpu etc., rounded up to the divisor as a kubelet does. */
const resourceValue = (c: V1Container, resource: string, divisor: string | undefined, nodeAllocatable: Record<string, string>) => {
  const [kind, name] = resource.split('.') as ['limits' | 'requests', string];
  const q = (kind === 'limits' ? c.resources?.limits : c.resources?.requests)?.[name] ?? (kind === 'limits' ? nodeAllocatable[name] : undefined) ?? '0';
  const v = parseQuantity(String(q));
  const d = name === 'cpu' ? CPU_DIVISORS[divisor ?? '1'] ?? parseQuantity(divisor ?? '1') : parseQuantity(divisor ?? '1');
  return String(Math.ceil(v / d));
};

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A resource quantity ('500m', '2Gi', '1e3') as a number. */
export const parseQuantity = (q: string): number => {
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || !(m[2]! in SUFFIX)) throw new Error(`bad quantity ${q}`);
  return Number(m[1]) * SUFFIX[m[2]!]!;
};

export const containerEnv = async (
  pod: V1Pod,
  c: V1Container,
  lookup: Lookup,
  base: Record<string, string>,
  nodeAllocatable: Record<string, string> = {},
): Promise<Record<string, string>> => {
  const ns = pod.metadata?.namespace ?? 'default';
  const env: Record<string, string> = { ...base };
  for (const from of c.envFrom ?? []) {
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const data = from.secretRef ? await lookup.secret(ns, ref.name!) : await lookup.configMap(ns, ref.name!);
    if (!data) {
      if (ref.optional) continue;
      throw new ConfigError(`${from.secretRef ? 'secret' : 'configmap'} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) env[`${from.prefix ?? ''}${k}`] = v;
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      env[e.name] = expand(e.value ?? '', env);
    } else if (vf.fieldRef) {
      env[e.name] = fieldValue(pod, vf.fieldRef);
    } else if (vf.resourceFieldRef) {
      env[e.name] = resourceValue(c, vf.resourceFieldRef.resource, vf.resourceFieldRef.divisor, nodeAllocatable);
    } else if (vf.secretKeyRef || vf.configMapKeyRef) {
      const ref = (vf.secretKeyRef ?? vf.configMapKeyRef)!;
      const kind = vf.secretKeyRef ? 'secret' : 'configmap';
      const data = vf.secretKeyRef ? await lookup.secret(ns, ref.name!) : await lookup.configMap(ns, ref.name!);
      if (!data) {
        if (ref.optional) continue;
        throw new ConfigError(`${kind} "${ref.name}" not found`);
      }
      if (!(ref.key in data)) {
        if (ref.optional) continue;
        throw new ConfigError(`couldn't find key ${ref.key} in ${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${ns}/${ref.name}`);
      }
      env[e.name] = data[ref.key]!;
    }
  }
  return env;
};

/** What runs: command (or the image's entrypoint) then args (or the image's cmd when command is unset too). */
export const commandLine = (c: V1Container, image: { entrypoint: string[]; cmd: string[] }, env: Record<string, string>): string[] => {
  const command = c.command?.length ? c.command : image.entrypoint;
  const args = c.args?.length ? c.args : c.command?.length ? [] : image.cmd;
  return [...command, ...args].map((s) => expand(s, env));
};
