import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { V1KeyToPath, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1Volume } from '@kubernetes/client-node';
import type { Api } from './api.js';
import { fieldFile } from './env.js';

/**
 * Volumes as directories on this machine, prepared before the containers start: emptyDir, secret, configMap,
 * downwardAPI and projected (token, secrets, config maps, downward API) as folders under the pod's directory;
 * persistentVolumeClaim as its bound PV's hostPath or local path; hostPath as it is. A volume that cannot be
 * prepared yet (claim not bound, secret missing) throws MountError: the kubelet reports FailedMount and retries.
 */
export class MountError extends Error {}

export type PodVolumes = Record<string, string>;

const b64 = (s: string) => Buffer.from(s, 'base64');

const writeItems = async (dir: string, data: Record<string, Buffer>, items: V1KeyToPath[] | undefined, what: string, optional: boolean, defaultMode?: number) => {
  if (items?.length) {
    for (const it of items) {
      const v = data[it.key];
      if (v === undefined) {
        if (optional) continue;
        throw new MountError(`${what}: key ${it.key} not found`);
      }
      await writeAt(join(dir, it.path), v, it.mode ?? defaultMode);
    }
  } else {
    for (const [k, v] of Object.entries(data)) await writeAt(join(dir, k), v, defaultMode);
  }
};

const writeAt = async (file: string, content: Buffer | string, mode?: number) => {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content, { mode: mode ?? 0o644 });
};

export type TokenSource = (pod: V1Pod, audience: string | undefined, expirationSeconds: number | undefined) => Promise<string>;

export const prepareVolumes = async (
  api: Api,
  pod: V1Pod,
  podDir: string,
  extra: { caCert: string; token: TokenSource },
): Promise<PodVolumes> => {
  const ns = pod.metadata!.namespace!;
  const out: PodVolumes = {};
  const secret = async (name: string) => {
    const s = await api.find<{ data?: Record<string, string> }>(`/api/v1/namespaces/${ns}/secrets/${name}`);
    return s && Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, b64(v)]));
  };
  const configMap = async (name: string) => {
    const c = await api.find<{ data?: Record<string, string>; binaryData?: Record<string, string> }>(`/api/v1/namespaces/${ns}/configmaps/${name}`);
    return c && {
      ...Object.fromEntries(Object.entries(c.data ?? {}).map(([k, v]) => [k, Buffer.from(v)])),
      ...Object.fromEntries(Object.entries(c.binaryData ?? {}).map(([k, v]) => [k, b64(v)])),
    };
  };
  for (const v of pod.spec?.volumes ?? []) out[v.name] = await prepareOne(api, pod, podDir, v, { secret, configMap, ...extra });
  return out;
};

type Sources = {
  secret(name: string): Promise<Record<string, Buffer> | undefined>;
  configMap(name: string): Promise<Record<string, Buffer> | undefined>;
  caCert: string;
  token: TokenSource;
};

const prepareOne = async (api: Api, pod: V1Pod, podDir: string, v: V1Volume, src: Sources): Promise<string> => {
  const ns = pod.metadata!.namespace!;
  const dir = join(podDir, 'volumes', v.name);
  if (v.emptyDir) {
    await mkdir(dir, { recursive: true });
    return dir;
  }
  if (v.hostPath) {
    if (v.hostPath.type === 'DirectoryOrCreate') await mkdir(v.hostPath.path, { recursive: true });
    return v.hostPath.path;
  }
  if (v.persistentVolumeClaim) {
    const name = v.persistentVolumeClaim.claimName;
    const pvc = await api.find<V1PersistentVolumeClaim>(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`);
    if (!pvc) throw new MountError(`persistentvolumeclaim "${name}" not found`);
    if (pvc.status?.phase !== 'Bound' || !pvc.spec?.volumeName) throw new MountError(`persistentvolumeclaim "${name}" is not bound`);
    const pv = await api.find<V1PersistentVolume>(`/api/v1/persistentvolumes/${pvc.spec.volumeName}`);
    const path = pv?.spec?.hostPath?.path ?? pv?.spec?.local?.path;
    if (!path) throw new MountError(`persistentvolume "${pvc.spec.volumeName}" has no hostPath or local path this node can mount`);
    await mkdir(path, { recursive: true });
    return path;
  }
  // Generated content: rewritten from scratch each time the pod starts.
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  if (v.secret) {
    const data = await src.secret(v.secret.secretName!);
    if (!data) {
      if (v.secret.optional) return dir;
      throw new MountError(`secret "${v.secret.secretName}" not found`);
    }
    await writeItems(dir, data, v.secret.items, `secret ${v.secret.secretName}`, !!v.secret.optional, v.secret.defaultMode);
    return dir;
  }
  if (v.configMap) {
    const data = await src.configMap(v.configMap.name!);
    if (!data) {
      if (v.configMap.optional) return dir;
      throw new MountError(`configmap "${v.configMap.name}" not found`);
    }
    await writeItems(dir, data, v.configMap.items, `configmap ${v.configMap.name}`, !!v.configMap.optional, v.configMap.defaultMode);
    return dir;
  }
  if (v.downwardAPI) {
    for (const it of v.downwardAPI.items ?? []) if (it.fieldRef) await writeAt(join(dir, it.path), fieldFile(pod, it.fieldRef.fieldPath), it.mode ?? v.downwardAPI.defaultMode);
    return dir;
  }
  if (v.projected) {
    for (const s of v.projected.sources ?? []) {
      if (s.serviceAccountToken) {
        await writeAt(join(dir, s.serviceAccountToken.path), await src.token(pod, s.serviceAccountToken.audience, s.serviceAccountToken.expirationSeconds), v.projected.defaultMode ?? 0o600);
      } else if (s.secret) {
        const data = await src.secret(s.secret.name!);
        if (!data && !s.secret.optional) throw new MountError(`secret "${s.secret.name}" not found`);
        if (data) await writeItems(dir, data, s.secret.items, `secret ${s.secret.name}`, !!s.secret.optional, v.projected.defaultMode);
      } else if (s.configMap) {
        const data = await src.configMap(s.configMap.name!);
        // kube-root-ca.crt is published by the controller manager; until it is, use the cluster's CA (same content).
        const cm = data ?? (s.configMap.name === 'kube-root-ca.crt' ? { 'ca.crt': Buffer.from(src.caCert) } : undefined);
        if (!cm && !s.configMap.optional) throw new MountError(`configmap "${s.configMap.name}" not found`);
        if (cm) await writeItems(dir, cm, s.configMap.items, `configmap ${s.configMap.name}`, !!s.configMap.optional, v.projected.defaultMode);
      } else if (s.downwardAPI) {
        for (const it of s.downwardAPI.items ?? []) if (it.fieldRef) await writeAt(join(dir, it.path), fieldFile(pod, it.fieldRef.fieldPath), it.mode ?? v.projected.defaultMode);
      }
    }
    return dir;
  }
  void ns;
  throw new MountError(`volume ${v.name}: this node stand-in supports emptyDir, hostPath, persistentVolumeClaim, secret, configMap, downwardAPI and projected`);
};
