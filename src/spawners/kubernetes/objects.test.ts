import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { profileKubernetesSchema } from '../../config/kubernetes-schema.js';
import type { RuntimeSpec } from '../../core/spawner.js';
import { LABELS } from '../../kube/labels.js';
import { claimOf, DEFAULT_SECURITY_CONTEXT, networkPolicyOf, podOf, secretOf, type PodProfile, type PodSettings } from './objects.js';
import { runtimeKey } from './names.js';

const settings: PodSettings = {
  namespace: 'nb',
  instance: 'hub-1',
  image: 'quay.io/jupyter/base-notebook:2026-11-30',
  imagePullPolicy: 'IfNotPresent',
  port: 8888,
  storageClass: '',
  storageSize: '1Gi',
  workspacePath: '/home/jovyan/work',
  graceSeconds: 5,
};
const spec: RuntimeSpec = { user: 'alice', server: 'x', profile: 'p', baseUrl: '/user/alice/x/', userOptions: {}, environment: { set: { SPARK: '1' }, prepend: {} } };
const profile = (over: Partial<PodProfile> = {}, k: Record<string, unknown> = {}): PodProfile => ({
  name: 'p',
  command: [],
  environment: { A: 'b' },
  readinessPath: 'api',
  startTimeoutSeconds: 60,
  kubernetes: profileKubernetesSchema.parse(k),
  ...over,
});
const container = (pod: V1Pod) => pod.spec?.containers[0];
const env = (pod: V1Pod) => Object.fromEntries((container(pod)?.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));

describe('kubernetes objects', () => {
  it('runs JupyterLab by default on the pod\'s IP, with the hub identity, the workspace claim and the marker env', () => {
    const pod = podOf(profile(), spec, settings);
    const c = container(pod);
    expect(c?.image).toBe(settings.image);
    expect(c?.command).toEqual(['jupyter']);
    expect(c?.args?.[0]).toBe('lab');
    expect(c?.args).toEqual(expect.arrayContaining(['--ip=$(POD_IP)', '--port=8888', '--ServerApp.base_url=/user/alice/x/', '--ServerApp.root_dir=/home/jovyan/work']));
    expect(c?.securityContext).toEqual(DEFAULT_SECURITY_CONTEXT);
    expect(c?.volumeMounts?.find((m) => m.mountPath === '/home/jovyan/work')?.name).toBe('workspace');
    expect(pod.spec?.volumes?.find((v) => v.name === 'workspace')?.persistentVolumeClaim?.claimName).toBe(claimOf(profile(), spec, settings).metadata?.name);
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(pod.spec?.terminationGracePeriodSeconds).toBe(5);
    const e = env(pod);
    expect(e).toMatchObject({ NBHUB_RUNTIME: 'alice/x', NBHUB_HUB: 'hub-1', NBHUB_PORT: '8888', NBHUB_BASE_URL: '/user/alice/x/', A: 'b', SPARK: '1', POD_IP: { fieldRef: { fieldPath: 'status.podIP' } } });
    expect(e['NBHUB_AUTH_SHA256']).toMatchObject({ secretKeyRef: { key: 'auth-sha256' } });
    expect(container(pod)?.env?.[0]?.name).toBe('POD_IP');
    expect(pod.metadata?.labels?.[LABELS.runtime]).toBe(runtimeKey('alice', 'x').slice(0, 63));
    expect(pod.metadata?.annotations).toMatchObject({ 'hub.nbhub.io/user': 'alice', 'hub.nbhub.io/server': 'x' });
  });

  it('never puts the token in the pod spec: a profile command\'s {token} is a reference to the secret', () => {
    const token = 'sekret-token-0123456789';
    const p = profile({ command: ['python3', '-c', 'serve({ip}, {port}, "{token}", "{base_url}")'] });
    const pod = podOf(p, spec, settings);
    expect(JSON.stringify(pod)).not.toContain(token);
    expect(container(pod)?.command).toEqual(['python3']);
    expect(container(pod)?.args).toEqual(['-c', 'serve($(POD_IP), 8888, "$(NBHUB_TOKEN)", "/user/alice/x/")']);
    expect(env(pod)['NBHUB_TOKEN']).toMatchObject({ secretKeyRef: { key: 'token' } });
    const secret = secretOf(p, spec, settings, token, { metadata: { name: 'pod-a', uid: 'u-1' } });
    expect(secret.stringData).toEqual({ token });
    expect(secret.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'Pod', name: 'pod-a', uid: 'u-1' })]);
    expect(secretOf(profile(), spec, settings, token, {}).stringData?.['auth-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(env(podOf(profile(), spec, settings))['NBHUB_TOKEN']).toBeUndefined();
  });

  it('escapes a literal $ of ours so Kubernetes does not expand it', () => {
    const pod = podOf(profile({ command: ['echo', 'cost $(HOME) {port}'] }), spec, settings);
    expect(container(pod)?.args).toEqual(['cost $$(HOME) 8888']);
  });

  it('takes the profile\'s image, resources, GPUs, placement, service account and storage', () => {
    const k = {
      image: 'my/img:1',
      image_pull_policy: 'Always',
      cpu_request: '500m',
      cpu_limit: '2',
      memory_limit: '2Gi',
      extra_resources: { 'nvidia.com/gpu': '1' },
      node_selector: { pool: 'gpu' },
      tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' }],
      service_account: 'runner',
      security_context: { runAsUser: 2000 },
      storage_class: 'fast',
      storage_size: '10Gi',
      volumes: [{ name: 'data', emptyDir: {} }],
      volume_mounts: [{ name: 'data', mountPath: '/data' }],
    };
    const pod = podOf(profile({}, k), spec, settings);
    expect(container(pod)).toMatchObject({
      image: 'my/img:1',
      imagePullPolicy: 'Always',
      resources: { requests: { cpu: '500m', 'nvidia.com/gpu': '1' }, limits: { cpu: '2', memory: '2Gi', 'nvidia.com/gpu': '1' } },
      securityContext: { runAsUser: 2000 },
    });
    expect(container(pod)?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/data' });
    expect(pod.spec).toMatchObject({ nodeSelector: { pool: 'gpu' }, serviceAccountName: 'runner', automountServiceAccountToken: true, tolerations: k.tolerations });
    expect(pod.spec?.volumes).toContainEqual({ name: 'data', emptyDir: {} });
    expect(claimOf(profile({}, k), spec, settings).spec).toMatchObject({ storageClassName: 'fast', resources: { requests: { storage: '10Gi' } } });
    expect(claimOf(profile(), spec, settings).spec?.storageClassName).toBeUndefined();
    expect(podOf(profile(), spec, settings).spec?.automountServiceAccountToken).toBe(false);
  });

  it('lets only this instance\'s hub and agents reach runtime pods', () => {
    const np = networkPolicyOf(settings);
    expect(np.spec?.podSelector?.matchLabels).toMatchObject({ [LABELS.component]: 'runtime', [LABELS.instance]: 'hub-1' });
    expect(np.spec?.ingress?.[0]?._from?.map((f) => f.podSelector?.matchLabels?.[LABELS.component])).toEqual(['hub', 'agent']);
  });
});
