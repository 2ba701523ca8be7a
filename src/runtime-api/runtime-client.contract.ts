import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeApiError, type RuntimeClient, type RuntimeEndpoint } from '../core/runtime-client.js';

/** A running Jupyter server for the suite: its endpoint, and how to stop it. */
export interface RuntimeUnderTest {
  endpoint: RuntimeEndpoint;
  stop(): Promise<void>;
}

/** What a user of the runtime does (open a notebook, a console, start a kernel): straight to its API, not through the client. */
interface Created {
  id: string;
  path: string;
  kernel: { id: string };
}
const asUser = async (rt: RuntimeEndpoint, method: string, path: string, body?: unknown): Promise<Created> => {
  const res = await fetch(new URL(rt.baseUrl + path, rt.target), { method, headers: { authorization: `token ${rt.token}` }, body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? null : res.json()) as Promise<Created>;
};

const failure = async (p: Promise<unknown>): Promise<RuntimeApiError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RuntimeApiError);
  // What the hub's API answers for it: 503 UNAVAILABLE.
  expect(err).toMatchObject({ code: 'UNAVAILABLE' });
  return err as RuntimeApiError;
};

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * The runtime client's contract, run against each Jupyter server generation the hub may spawn (jupyter_server
 * 2.x, Debian's 1.23): what the hub reads (kernels, sessions and their labels, status, saved cells), what it does
 * to kernels, and how a runtime that is down or answers garbage fails.
 */
export const runtimeClientContract = (name: string, o: { start: () => Promise<RuntimeUnderTest>; client: () => RuntimeClient; missing?: string | undefined }) =>
  describe.skipIf(o.missing !== undefined)(`runtime client contract: ${name}${o.missing ? ` (skipped: ${o.missing})` : ''}`, () => {
    let runtime: RuntimeUnderTest;
    let rt: RuntimeEndpoint;
    let api: RuntimeClient;
    let notebookKernel: string;
    let consoleKernel: string;
    let consolePath: string;

    beforeAll(async () => {
      runtime = await o.start();
      rt = runtime.endpoint;
      api = o.client();
    }, 120_000);
    afterAll(async () => runtime?.stop());

    it('reports the server status', async () => {
      const before = Date.now();
      const s = await api.status(rt);
      expect(s.started).toBeLessThanOrEqual(before);
      expect(s.lastActivity).toEqual(expect.any(Number));
      expect(s.kernels).toBe(0);
      expect(s.connections).toBe(0);
    });

    it('looks without counting as activity in the runtime (its own idle shutdown goes on)', async () => {
      // No kernel runs yet: the runtime's last activity is its API's, which only a user's request moves.
      const before = (await api.status(rt)).lastActivity;
      await new Promise((r) => setTimeout(r, 50));
      await api.sessions(rt);
      await api.kernels(rt);
      await api.kernel(rt, UNKNOWN);
      await api.labelsByKernel(rt);
      expect((await api.status(rt)).lastActivity).toBe(before);
    });

    it('lists a kernel started through the API, and finds it by id; an unknown kernel is none', async () => {
      const started = await asUser(rt, 'POST', 'api/kernels', { name: 'python3' });
      const kernels = await api.kernels(rt);
      expect(kernels.map((k) => k.id)).toContain(started.id);
      const k = await api.kernel(rt, started.id);
      expect(k).toMatchObject({ id: started.id, name: 'python3', executionState: expect.any(String), lastActivity: expect.any(Number), connections: 0 });
      expect(await api.kernel(rt, UNKNOWN)).toBeNull();
      expect((await api.status(rt)).kernels).toBe(1);
      await asUser(rt, 'DELETE', `api/kernels/${started.id}`);
    });

    it('reads sessions of a notebook and a console, and labels both kernels by their session paths', async () => {
      const nb = await asUser(rt, 'POST', 'api/sessions', { path: 'work.ipynb', name: 'work.ipynb', type: 'notebook', kernel: { name: 'python3' } });
      // What JupyterLab sends for a console: a path of its own, a display name.
      const con = await asUser(rt, 'POST', 'api/sessions', { path: 'console-1-6d1c', name: 'Console 1', type: 'console', kernel: { name: 'python3' } });
      notebookKernel = nb.kernel.id;
      consoleKernel = con.kernel.id;
      consolePath = con.path;
      const sessions = await api.sessions(rt);
      expect(sessions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: nb.id, path: 'work.ipynb', type: 'notebook', kernel: expect.objectContaining({ id: notebookKernel }) }),
          expect.objectContaining({ id: con.id, path: 'console-1-6d1c', name: 'Console 1', type: 'console', kernel: expect.objectContaining({ id: consoleKernel }) }),
        ]),
      );
      expect(await api.labelsByKernel(rt)).toEqual({ [notebookKernel]: ['work.ipynb'], [consoleKernel]: [consolePath] });
    });

    it('reads the cell ids a saved notebook holds', async () => {
      const cell = (id: string) => ({ id, cell_type: 'code', source: '', metadata: {}, outputs: [], execution_count: null });
      const content = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [cell('c-one'), cell('c-two')] };
      await asUser(rt, 'PUT', 'api/contents/dir%20x', { type: 'directory' });
      await asUser(rt, 'PUT', 'api/contents/dir%20x/saved%20one.ipynb', { type: 'notebook', format: 'json', content });
      expect([...(await api.cellIds(rt, 'dir x/saved one.ipynb'))].sort()).toEqual(['c-one', 'c-two']);
      expect(await failure(api.cellIds(rt, 'not-saved.ipynb'))).toMatchObject({ failure: 'status', status: 404 });
    });

    it('interrupts and restarts a kernel, then shuts it down; the same actions on an unknown kernel say so', async () => {
      expect(await api.act(rt, notebookKernel, 'interrupt')).toBe('done');
      expect(await api.act(rt, notebookKernel, 'restart')).toBe('done');
      expect(await api.kernel(rt, notebookKernel)).toMatchObject({ id: notebookKernel });
      expect(await api.act(rt, consoleKernel, 'shutdown')).toBe('done');
      expect(await api.kernel(rt, consoleKernel)).toBeNull();
      // Its session goes with it: the console's label is gone.
      expect(await api.labelsByKernel(rt)).toEqual({ [notebookKernel]: ['work.ipynb'] });
      for (const action of ['interrupt', 'restart', 'shutdown'] as const) expect(await api.act(rt, UNKNOWN, action)).toBe('no-such-kernel');
      expect(await api.act(rt, consoleKernel, 'shutdown')).toBe('no-such-kernel');
    }, 90_000);

    it('refuses a wrong token as the runtime answered it', async () => {
      expect(await failure(api.kernels({ ...rt, token: 'wrong' }))).toMatchObject({ failure: 'status', status: 403 });
    });

    it('fails as unavailable when the runtime is down', async () => {
      const closed = createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const down = { ...rt, target: `http://127.0.0.1:${port}` };
      expect(await failure(api.kernels(down))).toMatchObject({ failure: 'down', status: null, message: expect.stringMatching(/^The runtime did not answer: .*ECONNREFUSED/) });
      expect(await failure(api.act(down, UNKNOWN, 'interrupt'))).toMatchObject({ failure: 'down' });
    });

    describe('a runtime answering garbage', () => {
      let server: Server;
      let bad: RuntimeEndpoint;
      const answers: Record<string, string> = {
        '/api/kernels': '<html>Sign in</html>',
        '/api/sessions': '{"sessions": []}',
        '/api/status': '[1, 2]',
        [`/api/kernels/${UNKNOWN}`]: '{"name": "python3"}',
      };
      beforeAll(async () => {
        server = createServer((req, res) => res.end(answers[new URL(req.url ?? '/', 'http://x').pathname] ?? ''));
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        bad = { ...rt, target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, baseUrl: '/' };
      });
      afterAll(() => new Promise<void>((r) => server.close(() => r())));

      it('rejects it with a message that says what was wrong', async () => {
        expect(await failure(api.kernels(bad))).toMatchObject({ failure: 'garbage', message: "The runtime's answer is not a list of kernels: text" });
        expect(await failure(api.sessions(bad))).toMatchObject({ failure: 'garbage', message: "The runtime's answer is not a list of sessions: object" });
        expect(await failure(api.status(bad))).toMatchObject({ failure: 'garbage', message: "The runtime's answer is not a server status: a list" });
        expect(await failure(api.kernel(bad, UNKNOWN))).toMatchObject({ failure: 'garbage', message: "The runtime's answer is not a kernel: it has no id" });
      });
    });
  });
