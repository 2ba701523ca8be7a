import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { V1PersistentVolume, V1PersistentVolumeClaim } from '@kubernetes/client-node';
import { type Api, listWatch } from './api.js';

/**
 * The claim provisioner stand-in, an external provisioner for the StorageClass `nbhub-local`
 * (provisioner nbhub.io/process-kubelet): a Pending claim of that class gets a hostPath PV under
 * <dir>/volumes/<pv> with a claimRef to it, and the real PV controller in kube-controller-manager binds the
 * two. A Released PV of ours with reclaimPolicy Delete loses its folder and its object, as an external
 * provisioner's deleter does. Claims of any other class are left to the real controller (which says why they
 * stay Pending).
 */
export const STORAGE_CLASS = 'nbhub-local';
export const PROVISIONER = 'nbhub.io/process-kubelet';

export const ensureStorageClass = async (api: Api) => {
  const path = `/apis/storage.k8s.io/v1/storageclasses/${STORAGE_CLASS}`;
  if (await api.find(path)) return;
  await api.post('/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }).catch((err: unknown) => {
    if (!/already exists/.test((err as Error).message)) throw err;
  });
};

export const startProvisioner = (api: Api, dir: string, log: (msg: string) => void, signal: AbortSignal) => {
  const volumes = join(dir, 'volumes');
  const busy = new Set<string>();
  const once = (key: string, work: () => Promise<void>) => {
    if (busy.has(key)) return;
    busy.add(key);
    work().catch((err: unknown) => log(`provisioner ${key}: ${(err as Error).message}`)).finally(() => busy.delete(key));
  };

  const onClaim = (pvc: V1PersistentVolumeClaim) => {
    const cls = pvc.spec?.storageClassName ?? pvc.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'];
    if (cls !== STORAGE_CLASS || pvc.status?.phase !== 'Pending' || pvc.spec?.volumeName || pvc.metadata?.deletionTimestamp) return;
    const pvName = `pvc-${pvc.metadata!.uid}`;
    once(pvName, async () => {
      if (await api.find(`/api/v1/persistentvolumes/${pvName}`)) return;
      const path = join(volumes, pvName);
      mkdirSync(path, { recursive: true, mode: 0o777 });
      await api.post('/api/v1/persistentvolumes', {
        apiVersion: 'v1',
        kind: 'PersistentVolume',
        metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
        spec: {
          capacity: { storage: pvc.spec?.resources?.requests?.['storage'] ?? '1Gi' },
          accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
          persistentVolumeReclaimPolicy: 'Delete',
          storageClassName: STORAGE_CLASS,
          volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
          hostPath: { path, type: 'DirectoryOrCreate' },
          claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata!.namespace, name: pvc.metadata!.name, uid: pvc.metadata!.uid },
        },
      });
      log(`provisioned ${pvName} for ${pvc.metadata!.namespace}/${pvc.metadata!.name} at ${path}`);
    });
  };

  const onVolume = (pv: V1PersistentVolume) => {
    if (pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const name = pv.metadata.name!;
    once(name, async () => {
      const path = pv.spec?.hostPath?.path;
      if (path?.startsWith(volumes)) rmSync(path, { recursive: true, force: true });
      await api.delete(`/api/v1/persistentvolumes/${name}`);
      log(`deleted released ${name}`);
    });
  };

  const handlers = <T>(on: (o: T) => void) => ({
    sync: (items: T[]) => items.forEach(on),
    event: (ev: { type: string; object: T }) => { if (ev.type !== 'DELETED') on(ev.object); },
    error: (err: unknown) => log(`provisioner watch: ${(err as Error).message}`),
  });
  void listWatch<V1PersistentVolumeClaim>(api, '/api/v1/persistentvolumeclaims', '', handlers(onClaim), signal);
  void listWatch<V1PersistentVolume>(api, '/api/v1/persistentvolumes', '', handlers(onVolume), signal);
};
