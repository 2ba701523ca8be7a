import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, AuthorizationV1Api, CoreV1Api, DiscoveryV1Api, createConfiguration, KubeConfig, KubernetesObjectApi, ServerConfiguration, type KubernetesObject } from '@kubernetes/client-node';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from './helpers/postgres.js';
import { loadConfig } from '../src/config/load.js';
import { COMPONENTS, LABELS } from '../src/kube/labels.js';

/**
 * The Helm chart (deploy/helm/nbhub): `helm lint` and `helm template` with helm v4 built from the Go module
 * proxy (scripts/install-deps.sh --test), then every rendered object created on the project's real control
 * plane (scripts/kube-local.sh) with strict field validation: the API server's own validation is the test.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHART = join(ROOT, 'deploy/helm/nbhub');
const KUBE_LOCAL = join(ROOT, 'scripts/kube-local.sh');
const DATA = process.env['XDG_DATA_HOME'] || join(process.env['HOME'] ?? '/root', '.local/share');
const HELM = process.env['NBHUB_HELM'] || join(DATA, 'nbhub/bin/helm');
const CHART_META = parseYaml(readFileSync(join(CHART, 'Chart.yaml'), 'utf8')) as { version: string; appVersion: string };
const APP_VERSION = CHART_META.appVersion;
const DB_URL = 'postgres://nbhub:secret@db.example:5432/nbhub';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: EnvVar[];
  ports: { name: string; containerPort: number }[];
  readinessProbe: { httpGet: object };
  livenessProbe: { httpGet: object };
  volumeMounts: { mountPath: string; readOnly?: boolean }[];
}
interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}
interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: { containers: Container[]; initContainers: Container[]; hostPID?: boolean; tolerations?: object[] };
}
/** The parts of the rendered objects' specs the tests read (plain JSON, as helm renders it). */
interface Spec {
  replicas: number;
  template: PodTemplate;
  selector: Record<string, string> & Selector;
  ports: { targetPort: string | number }[];
  endpoints: object[];
  podSelector: Selector;
  ingress: { from: { podSelector: Selector }[] }[];
}
type Obj = KubernetesObject & { spec: Spec; data?: Record<string, string>; stringData?: Record<string, string> };

const helm = (args: string[]): { code: number; out: string } => {
  if (!existsSync(HELM)) throw new Error(`helm not found at ${HELM}: scripts/install-deps.sh --test builds it (or set NBHUB_HELM)`);
  const r = spawnSync(HELM, args, { encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};

const valuesFile = (values: object): string => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-helm-values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  return file;
};

/** `helm template` → the objects it renders, in order. */
const render = (release: string, namespace: string, values: object): Obj[] => {
  const { code, out } = helm(['template', release, CHART, '--namespace', namespace, '-f', valuesFile(values)]);
  if (code !== 0) throw new Error(`helm template failed:\n${out}`);
  return parseAllDocuments(out.replace(/^level=INFO msg="found symbolic link.*$/gm, ''))
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => o !== null);
};

const find = (objs: Obj[], kind: string, nameSuffix = ''): Obj => {
  const o = objs.find((x) => x.kind === kind && (x.metadata?.name ?? '').endsWith(nameSuffix));
  if (!o) throw new Error(`no ${kind} *${nameSuffix} in ${objs.map((x) => `${x.kind}/${x.metadata?.name}`).join(', ')}`);
  return o;
};

const envOf = (container: Container | undefined): Record<string, EnvVar> => Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]));

/** Kubernetes' label selector (matchLabels, and matchExpressions In/NotIn/Exists) against a pod's labels. */
const selects = (selector: Selector | undefined, labels: Record<string, string>): boolean =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) =>
    e.operator === 'In' ? (e.values ?? []).includes(labels[e.key] ?? '') : e.operator === 'NotIn' ? !(e.values ?? []).includes(labels[e.key] ?? '') : e.operator === 'Exists' ? e.key in labels : false,
  );

const NON_DEFAULT = {
  database: { existingSecret: 'pg', existingSecretKey: 'url' },
  tokens: { existingSecret: 'nbhub-tokens' },
  runtimes: { namespace: 'helm-b-runtimes' },
  hub: { replicas: 3, port: 9000, service: { type: 'NodePort', port: 8080 }, extraEnv: [{ name: 'NBHUB_LOG_LEVEL', value: 'debug' }] },
  config: {
    auth: { roles: [{ name: 'viewers', scopes: ['read:users'], users: ['ann'] }] },
    services: [{ name: 'board', url: 'http://board.example:9000', api_token: 'b'.repeat(20) }],
    profiles: { gpu: { display_name: 'GPU', kubernetes: { image: 'example.org/gpu:1' } }, small: { display_name: 'Small', kubernetes: { image: 'example.org/small:2' } }, plain: { display_name: 'Plain' } },
  },
  prePuller: { extraImages: ['example.org/small:2', 'example.org/extra:3'] },
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } }, prometheusRule: { enabled: true } },
  grafana: { dashboard: { enabled: true } },
};

describe('helm lint', () => {
  it('is clean, strict, with the values a user must give', () => {
    const r = helm(['lint', '--strict', CHART, '--set', `database.url=${DB_URL}`]);
    expect(r.out).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('1 chart(s) linted, 0 chart(s) failed');
  });

  it('is clean with every optional object on', () => {
    const r = helm(['lint', '--strict', CHART, '-f', valuesFile(NON_DEFAULT)]);
    expect(r.out).not.toMatch(/\[(WARNING|ERROR)\]/);
    expect(r.code, r.out).toBe(0);
  });

  it('fails without a database, naming the value', () => {
    const r = helm(['template', 'x', CHART]);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('database.url (or database.existingSecret) is required');
  });
});

describe('helm template', () => {
  it('renders the hub, its agents and puller with nbhub labels, 2 replicas on PostgreSQL, by default', () => {
    const objs = render('a', 'helm-a', { database: { url: DB_URL } });
    expect(objs.map((o) => `${o.kind}/${o.metadata?.name}`).sort()).toEqual(
      [
        'ConfigMap/a-nbhub-config',
        'DaemonSet/a-nbhub-agent',
        'DaemonSet/a-nbhub-image-puller',
        'Deployment/a-nbhub',
        'NetworkPolicy/a-nbhub-runtimes',
        'PodDisruptionBudget/a-nbhub',
        'Role/a-nbhub-agent',
        'Role/a-nbhub-hub',
        'RoleBinding/a-nbhub-agent',
        'RoleBinding/a-nbhub-hub',
        'Secret/a-nbhub-database',
        'Secret/a-nbhub-tokens',
        'Service/a-nbhub',
        'ServiceAccount/a-nbhub-agent',
        'ServiceAccount/a-nbhub-hub',
      ].sort(),
    );
    for (const o of objs) {
      expect(o.metadata?.namespace).toBe('helm-a');
      expect(o.metadata?.labels).toMatchObject({ [LABELS.name]: 'nbhub', [LABELS.managedBy]: 'nbhub', [LABELS.instance]: 'a', 'helm.sh/chart': `nbhub-${CHART_META.version}` });
      expect(o.metadata?.labels?.[LABELS.component]).toMatch(/^(hub|agent|runtime|image-puller)$/);
    }
    const hub = find(objs, 'Deployment');
    expect(hub.spec.replicas).toBe(2);
    const pod = hub.spec.template;
    expect(pod.metadata.labels).toMatchObject({ [LABELS.component]: COMPONENTS.hub, [LABELS.instance]: 'a' });
    const c = pod.spec.containers[0]!;
    expect(c.image).toBe(`nbhub/nbhub:${APP_VERSION}`);
    expect(c.args).toEqual(['start', '--config', '/etc/nbhub/nbhub.yaml']);
    expect(c.readinessProbe.httpGet).toEqual({ path: '/hub/api/', port: 'http' });
    expect(c.livenessProbe.httpGet).toEqual({ path: '/hub/api/', port: 'http' });
    expect(envOf(c)['NBHUB_IP']?.value).toBe('0.0.0.0');
    expect(envOf(c)['NBHUB_DATABASE_URL']?.valueFrom?.secretKeyRef).toEqual({ name: 'a-nbhub-database', key: 'database-url' });
    expect(find(objs, 'Secret', '-database').stringData).toEqual({ 'database-url': DB_URL });
    // The Service reaches the hub pods through the container's named port.
    const svc = find(objs, 'Service');
    expect(selects({ matchLabels: svc.spec.selector }, pod.metadata.labels)).toBe(true);
    expect(selects(find(objs, 'PodDisruptionBudget').spec.selector, pod.metadata.labels)).toBe(true);
    expect(svc.spec.ports[0]?.targetPort).toBe(c.ports[0]?.name);
  });

  it("writes a config the hub accepts: spawner kubernetes in the runtimes' namespace, the chart's services by token", () => {
    // profiles.<name>.kubernetes comes with the Kubernetes spawner; the puller test below reads those images.
    const objs = render('b', 'helm-b', { ...NON_DEFAULT, config: { ...NON_DEFAULT.config, profiles: { plain: { display_name: 'Plain' } } } });
    const file = join(mkdtempSync(join(tmpdir(), 'nbhub-helm-config-')), 'nbhub.yaml');
    writeFileSync(file, find(objs, 'ConfigMap', '-config').data?.['nbhub.yaml'] ?? '');
    const hubEnv = envOf(find(objs, 'Deployment').spec.template.spec.containers[0]);
    // What Kubernetes does with $(VAR): the tokens from the Secret, put into NBHUB_SERVICES.
    const services = String(hubEnv['NBHUB_SERVICES']?.value)
      .replace('$(NBHUB_CHART_AGENT_TOKEN)', 'a'.repeat(40))
      .replace('$(NBHUB_CHART_METRICS_TOKEN)', 'm'.repeat(40));
    const config = loadConfig({ file, env: { NBHUB_SERVICES: services, NBHUB_DATABASE_URL: DB_URL } });
    expect(config.spawner.kind).toBe('kubernetes');
    expect(config.kubernetes.namespace).toBe('helm-b-runtimes');
    expect(config.port).toBe(9000);
    expect(config.monitoring.embedded_agent).toBe(false);
    expect(Object.keys(config.profiles)).toEqual(['plain']);
    expect(config.services.map((s) => [s.name, s.admin])).toEqual([
      ['board', false],
      ['nbhub-agent', true],
      ['nbhub-prometheus', false],
    ]);
    expect(config.auth.roles.map((r) => [r.name, r.scopes, r.services])).toEqual([
      ['viewers', ['read:users'], []],
      ['nbhub-metrics', ['read:metrics'], ['nbhub-prometheus']],
    ]);
  });

  it('renders the optional objects, 3 replicas, and one puller init container per image', () => {
    const objs = render('b', 'helm-b', NON_DEFAULT);
    expect(find(objs, 'Deployment').spec.replicas).toBe(3);
    expect(objs.some((o) => o.kind === 'Secret')).toBe(false); // both Secrets exist already
    const monitor = find(objs, 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    expect(monitor.metadata?.labels?.['release']).toBe('prom');
    expect(monitor.spec.endpoints[0]).toMatchObject({ port: 'http', path: '/hub/metrics', authorization: { credentials: { name: 'nbhub-tokens', key: 'metrics-token' } } });
    expect(selects(monitor.spec.selector, find(objs, 'Service').metadata?.labels ?? {})).toBe(true);
    const rules = find(objs, 'PrometheusRule');
    expect(rules.spec).toEqual(parseYaml(readFileSync(join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')));
    const dashboard = find(objs, 'ConfigMap', '-dashboard');
    expect(dashboard.metadata?.labels?.['grafana_dashboard']).toBe('1');
    expect(JSON.parse(dashboard.data?.['nbhub-dashboard.json'] ?? '')).toEqual(JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/nbhub-dashboard.json'), 'utf8')));
    const puller = find(objs, 'DaemonSet', '-image-puller').spec.template.spec;
    expect(puller.initContainers.map((c) => c.image)).toEqual(['example.org/extra:3', 'example.org/gpu:1', 'example.org/small:2', 'quay.io/jupyter/base-notebook:2026-11-30']);
    expect(puller.containers.map((c) => c.name)).toEqual(['pause']);
    // The hub's Role sits in the runtimes' namespace; in its own it may only find the agents' pods.
    const roles = objs.filter((o) => o.kind === 'Role');
    expect(roles.map((r) => `${r.metadata?.namespace}/${r.metadata?.name}`).sort()).toEqual(['helm-b-runtimes/b-nbhub-agent', 'helm-b-runtimes/b-nbhub-hub', 'helm-b/b-nbhub-hub-agents']);
    expect(find(objs, 'NetworkPolicy').metadata?.namespace).toBe('helm-b-runtimes');
  });

  it('lets only the hub and the agents reach runtime pods, by the labels of src/kube/labels.ts', () => {
    const objs = render('a', 'helm-a', { database: { url: DB_URL } });
    const policy = find(objs, 'NetworkPolicy').spec;
    // A runtime pod as the spawner labels it.
    const runtime = { [LABELS.name]: 'nbhub', [LABELS.managedBy]: 'nbhub', [LABELS.component]: COMPONENTS.runtime, [LABELS.instance]: 'hubid', [LABELS.runtime]: 'k' };
    expect(selects(policy.podSelector, runtime)).toBe(true);
    expect(selects(policy.podSelector, { ...runtime, [LABELS.component]: COMPONENTS.hub })).toBe(false);
    const from = policy.ingress[0]?.from[0]?.podSelector;
    expect(selects(from, find(objs, 'Deployment').spec.template.metadata.labels)).toBe(true);
    expect(selects(from, find(objs, 'DaemonSet', '-agent').spec.template.metadata.labels)).toBe(true);
    expect(selects(from, find(objs, 'DaemonSet', '-image-puller').spec.template.metadata.labels)).toBe(false);
    expect(selects(from, runtime)).toBe(false);
    const agent = find(objs, 'DaemonSet', '-agent').spec.template.spec;
    expect(agent.hostPID).toBe(true);
    expect(agent.tolerations).toEqual([{ operator: 'Exists' }]);
    const env = envOf(agent.containers[0]);
    expect(env['NODE_NAME']?.valueFrom?.fieldRef?.fieldPath).toBe('spec.nodeName');
    expect(env['POD_IP']?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(env['NBHUB_AGENT_TOKEN']?.valueFrom?.secretKeyRef).toEqual({ name: 'a-nbhub-tokens', key: 'agent-token' });
    expect(agent.containers[0]?.volumeMounts.filter((m) => m.readOnly).map((m) => m.mountPath)).toEqual(['/host/proc', '/sys/fs/cgroup']);
  });
});

/** Why the control plane cannot run here, or null (CI builds it: scripts/install-deps.sh --test). */
const kubeMissing = (): string | null => {
  const r = spawnSync('bash', ['-c', `cd scripts/kube-local && echo "$(cat go.mod go.sum etcd/main.go | sha256sum | cut -c1-16)"`], { cwd: ROOT, encoding: 'utf8' });
  const bin = process.env['NBHUB_KUBE_BIN'] || join(DATA, 'nbhub/kube-bin', r.stdout.trim());
  return ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].every((b) => existsSync(join(bin, b))) ? null : `the control plane is not built (${bin}): run scripts/kube-local.sh build`;
};

/** The CRDs of the Prometheus Operator objects the chart renders, with schemas for the fields it sets, so strict validation checks those too. */
const operatorCrds = (): KubernetesObject[] => {
  const str = { type: 'string' };
  const strMap = { type: 'object', additionalProperties: str };
  const selector = { type: 'object', properties: { matchLabels: strMap, matchExpressions: { type: 'array', items: { type: 'object', properties: { key: str, operator: str, values: { type: 'array', items: str } } } } } };
  const crd = (kind: string, plural: string, spec: object): KubernetesObject & { spec: object } => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.monitoring.coreos.com` },
    spec: { group: 'monitoring.coreos.com', scope: 'Namespaced', names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec } } } }] },
  });
  return [
    crd('ServiceMonitor', 'servicemonitors', {
      type: 'object',
      required: ['selector', 'endpoints'],
      properties: {
        selector,
        endpoints: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              port: str,
              path: str,
              interval: { type: 'string', pattern: '^(0|(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$' },
              authorization: { type: 'object', properties: { type: str, credentials: { type: 'object', required: ['key'], properties: { name: str, key: str } } } },
              relabelings: { type: 'array', items: { type: 'object', properties: { targetLabel: str, replacement: str } } },
            },
          },
        },
      },
    }),
    crd('PrometheusRule', 'prometheusrules', {
      type: 'object',
      properties: {
        groups: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'rules'],
            properties: {
              name: str,
              rules: { type: 'array', items: { type: 'object', required: ['expr'], properties: { alert: str, record: str, expr: { 'x-kubernetes-int-or-string': true }, for: str, labels: strMap, annotations: strMap } } },
            },
          },
        },
      },
    }),
  ];
};

/** Fields of `want` that `got` lacks or holds differently (what the client or the server dropped or changed). */
const lost = (want: unknown, got: unknown, path = ''): string[] => {
  if (want !== null && typeof want === 'object') {
    if (got === null || typeof got !== 'object') return [path];
    return Object.entries(want as Record<string, unknown>).flatMap(([k, v]) => lost(v, (got as Record<string, unknown>)[k], `${path}.${k}`));
  }
  return want === got || String(want) === String(got) ? [] : [`${path}: ${JSON.stringify(want)} → ${JSON.stringify(got)}`];
};

describe.skipIf(kubeMissing() !== null)(`the chart on the control plane${kubeMissing() ? ` (skipped: ${kubeMissing()})` : ''}`, () => {
  // Not under /tmp: the hub's pod mounts an emptyDir at /tmp, and the process kubelet's bind mounts that follow
  // would look for their sources (the node's folder) inside it.
  mkdirSync(join(DATA, 'nbhub/test-clusters'), { recursive: true });
  const dir = mkdtempSync(join(DATA, 'nbhub/test-clusters/helm-'));
  const kc = new KubeConfig();
  let objects: KubernetesObjectApi;

  beforeAll(() => {
    const out = execFileSync(KUBE_LOCAL, ['up', '--dir', dir, '--no-node'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    kc.loadFromFile(out.trim().split('\n').pop() ?? '');
    objects = new KubernetesObjectApi(asIs());
  }, 120_000);

  afterAll(() => {
    spawnSync(KUBE_LOCAL, ['down', '--dir', dir], { stdio: 'inherit' });
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * The client serialises a known kind through its models, which drop what they do not know (and a
   * NetworkPolicy's `from`, which they call `_from`: an ingress rule sent that way allows everyone), and reads
   * the answer back through them. So the request carries the object exactly as helm rendered it, with strict
   * field validation (a field the API does not know is an error, not silently dropped), and the test compares
   * what the API server stored, as it answered.
   */
  let sending: KubernetesObject | null = null;
  let stored: Obj | null = null;
  const asIs = () =>
    createConfiguration({
      baseServer: new ServerConfiguration(kc.getCurrentCluster()?.server ?? '', {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (ctx) => {
            ctx.setQueryParam('fieldValidation', 'Strict');
            if (sending && String(ctx.getHttpMethod()) === 'POST') ctx.setBody(JSON.stringify(sending));
            return ctx;
          },
          post: async (res) => {
            const text = await res.body.text();
            stored = res.httpStatusCode < 300 ? (JSON.parse(text) as Obj) : null;
            res.body = { text: async () => text, binary: async () => Buffer.from(text) };
            return res;
          },
        },
      ],
    });

  const createAll = async (objs: KubernetesObject[]): Promise<Obj[]> => {
    const created: Obj[] = [];
    for (const o of objs) {
      try {
        sending = o;
        await objects.create(o);
        created.push(stored as unknown as Obj);
      } catch (err) {
        const body = (err as { body?: unknown }).body;
        const message = typeof body === 'string' ? ((JSON.parse(body) as { message?: string }).message ?? body) : (err as Error).message;
        throw new Error(`${o.kind}/${o.metadata?.name}: ${message}`);
      }
    }
    return created;
  };

  const namespaces = async (...names: string[]) => createAll(names.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));

  it('accepts every object of the default values, as rendered, and its controllers act on them', async () => {
    await namespaces('helm-a');
    const objs = render('a', 'helm-a', { database: { url: DB_URL } });
    const created = await createAll(objs);
    objs.forEach((o, i) => expect(lost(o.kind === 'Secret' ? { ...o, stringData: undefined } : o, created[i]), `${o.kind}/${o.metadata?.name}`).toEqual([]));
    // The real Deployment controller made the hub's ReplicaSet and its 2 pods (Pending: no node schedules them here).
    const core = kc.makeApiClient(CoreV1Api);
    await expect.poll(async () => (await core.listNamespacedPod({ namespace: 'helm-a', labelSelector: `${LABELS.component}=hub,${LABELS.instance}=a` })).items.length, { timeout: 30_000 }).toBe(2);
  }, 60_000);

  it('accepts the non-default objects (ServiceMonitor and PrometheusRule through their CRDs, 3 replicas, runtimes in another namespace)', async () => {
    await createAll(operatorCrds());
    // A CRD serves its kind once it is Established.
    const ext = kc.makeApiClient(ApiextensionsV1Api);
    await expect
      .poll(async () => (await ext.readCustomResourceDefinition({ name: 'prometheusrules.monitoring.coreos.com' })).status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), { timeout: 20_000 })
      .toBe(true);
    await namespaces('helm-b', 'helm-b-runtimes');
    const objs = render('b', 'helm-b', NON_DEFAULT);
    const created = await createAll(objs);
    objs.forEach((o, i) => expect(lost(o, created[i]), `${o.kind}/${o.metadata?.name}`).toEqual([]));
    expect(created.map((o) => o.kind)).toEqual(expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'Deployment']));
  }, 60_000);

  it('refuses a misspelt field (strict validation is on, so the tests above mean something)', async () => {
    await namespaces('helm-c');
    const svc = find(render('c', 'helm-c', { database: { url: DB_URL } }), 'Service');
    await expect(createAll([{ ...svc, spec: { ...svc.spec, selectr: {} } } as KubernetesObject])).rejects.toThrow(/unknown field "spec.selectr"/);
  });

  it('gives the hub and the agents only what they need, in their namespaces (RBAC as the API server decides it)', async () => {
    const authz = kc.makeApiClient(AuthorizationV1Api);
    const can = async (sa: string, verb: string, resource: string, namespace?: string, group = '', subresource?: string) =>
      (
        await authz.createSubjectAccessReview({
          body: { spec: { user: `system:serviceaccount:${sa}`, resourceAttributes: { verb, resource, group, ...(namespace ? { namespace } : {}), ...(subresource ? { subresource } : {}) } } },
        })
      ).status?.allowed ?? false;
    const hubA = 'helm-a:a-nbhub-hub';
    expect(await can(hubA, 'create', 'pods', 'helm-a')).toBe(true);
    expect(await can(hubA, 'delete', 'persistentvolumeclaims', 'helm-a')).toBe(true);
    expect(await can(hubA, 'create', 'secrets', 'helm-a')).toBe(true);
    expect(await can(hubA, 'get', 'pods', 'helm-a', '', 'log')).toBe(true);
    expect(await can(hubA, 'watch', 'events', 'helm-a')).toBe(true);
    expect(await can(hubA, 'create', 'networkpolicies', 'helm-a', 'networking.k8s.io')).toBe(true);
    expect(await can(hubA, 'create', 'events', 'helm-a')).toBe(false);
    expect(await can(hubA, 'create', 'deployments', 'helm-a', 'apps')).toBe(false);
    expect(await can(hubA, 'create', 'pods', 'helm-b-runtimes')).toBe(false);
    expect(await can(hubA, 'list', 'nodes')).toBe(false);
    const agentA = 'helm-a:a-nbhub-agent';
    expect(await can(agentA, 'watch', 'pods', 'helm-a')).toBe(true);
    expect(await can(agentA, 'create', 'pods', 'helm-a')).toBe(false);
    expect(await can(agentA, 'get', 'secrets', 'helm-a')).toBe(false);
    // Runtimes in their own namespace: the hub's Role is there; in its own it only finds the agents' pods.
    const hubB = 'helm-b:b-nbhub-hub';
    expect(await can(hubB, 'create', 'pods', 'helm-b-runtimes')).toBe(true);
    expect(await can(hubB, 'list', 'pods', 'helm-b')).toBe(true);
    expect(await can(hubB, 'create', 'pods', 'helm-b')).toBe(false);
    expect(await can('helm-b:b-nbhub-agent', 'list', 'pods', 'helm-b-runtimes')).toBe(true);
  });

  // The process kubelet (the node stand-in, test/kube/process-kubelet.ts) runs the hub's pods: nbhub/nbhub:* is
  // this checkout's bin/nbhub.js (npm run build first). It joins only now, so the objects above stay unscheduled.
  it('runs the hub Deployment on PostgreSQL and serves /hub/api/ through its Service (pods run by the process kubelet)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    // The releases above would land on the node too: their namespaces go first.
    for (const name of ['helm-a', 'helm-b', 'helm-b-runtimes', 'helm-c']) await core.deleteNamespace({ name }).catch(() => undefined); // absent when run alone
    await expect.poll(async () => (await core.listNamespace()).items.filter((n) => n.metadata?.name?.startsWith('helm-')).length, { timeout: 60_000, interval: 500 }).toBe(0);
    const nodeDir = join(dir, 'node-node-1');
    const kubelet = spawn('node', ['--import', 'tsx', join(ROOT, 'test/kube/process-kubelet.ts'), '--kubeconfig', join(dir, 'kubeconfig'), '--node', 'node-1', '--dir', nodeDir, '--cpu', '4', '--memory', '16Gi', '--pods', '110'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'ignore'],
      detached: true,
    });
    // `kube-local.sh down` (afterAll) stops it and its pods, as it stops a node `up` started.
    writeFileSync(join(dir, 'pids/process-kubelet'), String(kubelet.pid));
    kubelet.unref();
    const db = await createTestDatabase('nbhub_helm');
    try {
      await namespaces('helm-h');
      const objs = render('h', 'helm-h', {
        database: { url: db.url },
        // Pods share the machine's network here: each hub listens on its own pod address only.
        hub: { listenAddress: '$(POD_IP)', livenessProbe: { initialDelaySeconds: 60 } },
        // The agent's node mode and the pause image are not in the stand-in yet; their objects are tested above.
        agent: { enabled: false },
        prePuller: { enabled: false },
      });
      await createAll(objs);
      const hubPods = async () => (await core.listNamespacedPod({ namespace: 'helm-h', labelSelector: `${LABELS.component}=hub,${LABELS.instance}=h` })).items;
      const ready = (p: { status?: { conditions?: { type: string; status: string }[] } }) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      try {
        await expect.poll(async () => (await hubPods()).filter(ready).length, { timeout: 90_000, interval: 1000 }).toBe(2);
      } catch (err) {
        // Why not: the pods' states, their events and the end of each container's output.
        const why = await Promise.all(
          (await hubPods()).map(async (p) => {
            const events = (await core.listNamespacedEvent({ namespace: 'helm-h', fieldSelector: `involvedObject.name=${p.metadata?.name}` })).items.map((e) => `${e.reason}: ${e.message}`);
            const log = spawnSync('bash', ['-c', `tail -c 1500 ${nodeDir}/pods/${p.metadata?.uid}/*.log`], { encoding: 'utf8' }).stdout;
            return `${p.metadata?.name} ${p.status?.phase} ${JSON.stringify(p.status?.containerStatuses?.[0]?.state)}\n${events.join('\n')}\n${log}`;
          }),
        );
        throw new Error(`${(err as Error).message}\n${why.join('\n---\n')}`);
      }
      const pods = await hubPods();
      const svc = (await core.readNamespacedService({ name: 'h-nbhub', namespace: 'helm-h' })).spec;
      // The Service selects both pods, as the API server evaluates its selector.
      const selector = Object.entries(svc?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
      const selected = (await core.listNamespacedPod({ namespace: 'helm-h', labelSelector: selector })).items;
      expect(selected.map((p) => p.metadata?.name).sort()).toEqual(pods.map((p) => p.metadata?.name).sort());
      const ips = pods.map((p) => p.status?.podIP ?? '').sort();
      // And so does the real EndpointSlice controller. It cannot store the process kubelet's 127.x addresses (the
      // API refuses loopback endpoints), so here its Warning on the Service, naming both, is what shows it.
      const discovery = kc.makeApiClient(DiscoveryV1Api);
      const listed = async (): Promise<string[]> => {
        const slices = (await discovery.listNamespacedEndpointSlice({ namespace: 'helm-h', labelSelector: 'kubernetes.io/service-name=h-nbhub' })).items;
        const stored = slices.flatMap((sl) => (sl.endpoints ?? []).flatMap((e) => e.addresses));
        if (stored.length > 0) return stored.sort();
        const events = (await core.listNamespacedEvent({ namespace: 'helm-h', fieldSelector: 'involvedObject.kind=Service,involvedObject.name=h-nbhub,reason=FailedToUpdateEndpointSlices' })).items;
        return ips.filter((ip) => events.some((e) => e.message?.includes(`Invalid value: "${ip}": may not be in the loopback range`)));
      };
      await expect.poll(listed, { timeout: 30_000 }).toEqual(ips);
      // The Service's targetPort (a name) is the hub container's port.
      const container = pods[0]?.spec?.containers[0];
      const port = container?.ports?.find((p) => p.name === svc?.ports?.[0]?.targetPort)?.containerPort;
      expect(port).toBe(8000);
      for (const ip of ips) {
        expect(ip).toMatch(/^127\./);
        const res = await fetch(`http://${ip}:${port}/hub/api/`);
        expect(res.status).toBe(200);
        expect(((await res.json()) as { version: string }).version).toEqual(expect.any(String));
      }
      // Both replicas share the one PostgreSQL: each registered itself there as its own instance (its pod's name).
      const instances = await db.query<{ id: string }>('SELECT id FROM hub_instances ORDER BY id');
      expect(instances.map((r) => r.id)).toEqual(pods.map((p) => p.metadata?.name).sort());
    } finally {
      await core.deleteNamespace({ name: 'helm-h' }).catch(() => undefined);
      spawnSync(KUBE_LOCAL, ['down', '--dir', dir], { stdio: 'inherit' });
      await db.drop();
    }
  }, 180_000);
});
