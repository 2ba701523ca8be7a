import type { V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANNOTATIONS, COMPONENTS, LABELS } from '../src/kube/labels.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { kubeMissing, startTestCluster, type TestCluster } from './helpers/kube.js';
import { createTestDatabase } from './helpers/postgres.js';

/**
 * Two hub replicas (`nbhub start`, spawner kubernetes) on one PostgreSQL database and one namespace of the real
 * control plane (scripts/kube-local.sh), pods run by the process kubelet (the node stand-in). One replica is
 * killed with SIGKILL: the other claims its servers and adopts their pods (same uid, none made twice).
 */
const missing = kubeMissing();
const LEASE_S = 4;
const NS = 'default';
const TINY_HTTP = fileURLToPath(new URL('./kube/tiny-http.mjs', import.meta.url));
const RUNTIME_PODS = `${LABELS.managedBy}=nbhub,${LABELS.component}=${COMPONENTS.runtime}`;

interface ServerModel {
  ready: boolean;
  nbhub: { state: string; owner?: string | null };
}

describe.skipIf(missing !== null)(`two hub replicas on Kubernetes${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let cluster: TestCluster;
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let a: TestHub;
  let b: TestHub;
  let alice = '';
  let admin = '';
  /** Every runtime pod uid the API server ever announced (a watch from before the first start). */
  const created = new Map<string, string>();
  const watching = new AbortController();

  beforeAll(async () => {
    cluster = await startTestCluster();
    db = await createTestDatabase('nbhub_kube_replicas');
    // tiny: the nbhub/tiny-http image (a small HTTP server on the pod's address); default: JupyterLab.
    const config = [
      `database_url: ${db.url}`,
      'spawner: kubernetes',
      'kubernetes:',
      `  kubeconfig: ${cluster.kubeconfig}`,
      `  namespace: ${NS}`,
      '  storage_size: 10Mi',
      'lifecycle:',
      '  poll_seconds: 1',
      '  stop_grace_seconds: 2',
      'monitoring:',
      '  embedded_agent: false',
      `  lease_seconds: ${LEASE_S}`,
      'profiles:',
      '  tiny:',
      `    command: ["node", ${JSON.stringify(TINY_HTTP)}]`,
      '    environment: { PORT: "8888" }',
      '    readiness_path: ""',
      '    kubernetes: { image: "nbhub/tiny-http:1" }',
      '',
    ].join('\n');
    a = await startTestHub({ config });
    b = await startTestHub({ config });
    admin = a.addUser('admin', { admin: true });
    alice = a.addUser('alice');
    void cluster.api
      .watch<V1Pod>(`/api/v1/namespaces/${NS}/pods?watch=1&labelSelector=${encodeURIComponent(RUNTIME_PODS)}`, (ev) => {
        const md = ev.object.metadata;
        if (md?.uid && !created.has(md.uid)) created.set(md.uid, md.annotations?.[ANNOTATIONS.server] ?? '?');
      }, watching.signal)
      .catch(() => undefined);
  }, 120_000);

  afterAll(async () => {
    watching.abort();
    await b?.dispose();
    await a?.dispose();
    await cluster?.stop();
    await db?.drop();
  }, 90_000);

  const server = async (via: TestHub, name: string): Promise<ServerModel | undefined> => {
    const r = await via.api('/hub/api/users/alice?include_stopped_servers', { token: admin });
    expect(r.status).toBe(200);
    return ((await r.json()) as { servers: Record<string, ServerModel> }).servers[name];
  };
  const history = async (via: TestHub, name: string) => {
    const r = await via.api(`/hub/api/users/alice/servers/${name}/history`, { token: admin });
    return ((await r.json()) as { events: Array<{ action: string }> }).events;
  };
  /** alice's runtime pods as the API server has them: server name → pod uid. */
  const podUids = async (): Promise<Record<string, string>> => {
    const { items } = await cluster.api.get<{ items: V1Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(RUNTIME_PODS)}`);
    const live = items.filter((p) => !p.metadata?.deletionTimestamp);
    const entries = live.map((p) => [p.metadata?.annotations?.[ANNOTATIONS.server] ?? '?', p.metadata?.uid ?? ''] as const);
    // One pod per runtime: a second one would collapse here, so count first.
    expect(new Set(entries.map(([s]) => s)).size).toBe(entries.length);
    return Object.fromEntries(entries);
  };
  /** What the runtime answers through `via`'s proxy (tiny-http names its pod; JupyterLab its version). */
  const through = async (via: TestHub, name: string): Promise<{ status: number; body: string }> => {
    const path = name === 'lab' ? `/user/alice/${name}/api/status` : `/user/alice/${name}/`;
    const r = await via.api(path, { token: alice });
    const body = await r.text();
    return { status: r.status, body: name === 'lab' ? (r.status === 200 ? 'jupyter' : body) : body };
  };
  const ownerPort = (s: ServerModel | undefined) => Number((s?.nbhub.owner ?? '').split(':').pop());

  /** Which replica starts each server (lab: JupyterLab, the others tiny-http). */
  const SERVERS = { t1: 'a', lab: 'a', t2: 'b', t3: 'b' } as const;
  const hubOf = (x: 'a' | 'b') => (x === 'a' ? a : b);

  it('servers started through both replicas run in one pod each, owned by the replica that started them, reachable through either', async () => {
    await Promise.all(
      Object.entries(SERVERS).map(async ([name, via]) => {
        const r = await hubOf(via).api(`/hub/api/users/alice/servers/${name}`, { method: 'POST', token: alice, body: name === 'lab' ? {} : { profile: 'tiny' } });
        expect([201, 202], `${name}: ${await r.clone().text()}`).toContain(r.status);
      }),
    );
    for (const name of Object.keys(SERVERS)) {
      await expect
        .poll(async () => (await server(a, name))?.ready, { timeout: 120_000, interval: 500, message: `${name} ready:\n${a.output().slice(-2000)}\n${b.output().slice(-2000)}` })
        .toBe(true);
    }
    for (const [name, via] of Object.entries(SERVERS)) {
      expect(ownerPort(await server(b, name)), `${name} owned by ${via}`).toBe(hubOf(via).port);
      const viaA = await through(a, name);
      expect(viaA.status, viaA.body).toBe(200);
      expect(await through(b, name)).toEqual(viaA);
    }
    const uids = await podUids();
    expect(Object.keys(uids).sort()).toEqual(Object.keys(SERVERS).sort());
    // tiny-http says which pod answered: the one the API server has for that server.
    const { items } = await cluster.api.get<{ items: V1Pod[] }>(`/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(RUNTIME_PODS)}`);
    for (const name of ['t1', 't2', 't3']) {
      const pod = items.find((p) => p.metadata?.annotations?.[ANNOTATIONS.server] === name);
      expect((await through(b, name)).body).toBe(`ok ${pod?.metadata?.name} /user/alice/${name}/\n`);
    }
  }, 180_000);

  it('A killed with SIGKILL: B claims its servers and adopts their pods (same uid, no second pod), still reachable through B; a stop through B deletes the pod and keeps the claim', async () => {
    const before = await podUids();
    const answers = Object.fromEntries(await Promise.all(Object.keys(SERVERS).map(async (n) => [n, await through(b, n)] as const)));
    const starts = Object.fromEntries(await Promise.all(Object.keys(SERVERS).map(async (n) => [n, (await history(b, n)).filter((e) => e.action === 'start').length] as const)));
    const createdBefore = created.size;
    expect(createdBefore).toBe(Object.keys(SERVERS).length);

    await a.kill('SIGKILL');
    const killed = Date.now();
    for (const name of ['t1', 'lab']) {
      await expect.poll(async () => ownerPort(await server(b, name)), { timeout: LEASE_S * 4000, interval: 200, message: `${name} claimed by b:\n${b.output().slice(-3000)}` }).toBe(b.port);
    }
    console.log(`takeover of the killed replica's servers: ${Date.now() - killed} ms after SIGKILL (lease ${LEASE_S} s, poll 1 s)`);
    // A few of B's poll rounds on the adopted handles: nothing made again meanwhile.
    await new Promise((r) => setTimeout(r, 3000));
    for (const name of Object.keys(SERVERS)) {
      expect((await server(b, name))?.nbhub.state, name).toBe('running');
      expect(await through(b, name), name).toEqual(answers[name]);
      expect((await history(b, name)).filter((e) => e.action === 'start').length, name).toBe(starts[name]);
    }
    expect(await podUids()).toEqual(before);
    expect(created.size, `runtime pods ever made: ${JSON.stringify([...created])}`).toBe(createdBefore);

    // B acts on an adopted server now: its stop deletes that pod (by uid) and keeps the workspace claim.
    const claims = async () =>
      (await cluster.api.get<{ items: V1PersistentVolumeClaim[] }>(`/api/v1/namespaces/${NS}/persistentvolumeclaims?labelSelector=${encodeURIComponent(`${LABELS.component}=${COMPONENTS.workspace}`)}`)).items;
    const t1Claim = (await claims()).find((c) => c.metadata?.annotations?.[ANNOTATIONS.server] === 't1');
    expect(t1Claim?.metadata?.uid).toBeDefined();
    const r = await b.api('/hub/api/users/alice/servers/t1', { method: 'DELETE', token: alice });
    expect([202, 204]).toContain(r.status);
    await expect.poll(async () => (await server(b, 't1'))?.nbhub.state, { timeout: 30_000 }).toBe('stopped');
    await expect.poll(async () => (await podUids())['t1'] ?? 'gone', { timeout: 30_000 }).toBe('gone');
    const kept = (await claims()).find((c) => c.metadata?.annotations?.[ANNOTATIONS.server] === 't1');
    expect(kept?.metadata?.uid).toBe(t1Claim?.metadata?.uid);
    expect(kept?.metadata?.deletionTimestamp).toBeUndefined();
    // The others run on, untouched.
    const { t1: _stopped, ...others } = before;
    expect(await podUids()).toEqual(others);
  }, 120_000);
});
