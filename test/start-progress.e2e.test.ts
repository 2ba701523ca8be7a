/**
 * The start progress stream (`GET …/server/progress`, `…/servers/{name}/progress`) as JupyterHub sends it, plus
 * the runtime's output lines while it starts, against a real hub (built: `npm run build`) and runtimes that are
 * slow to start (helpers/slow-runtime.py: a line a second before they listen, or before they fail).
 */
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { readSseJson } from './helpers/sse.js';

const helper = (name: string) => fileURLToPath(new URL(`./helpers/${name}`, import.meta.url));

const CONFIG = `
profiles:
  slow:
    command: ["python3", "${helper('slow-runtime.py')}", "{port}", "{base_url}", "5", "{workspace}"]
  broken:
    command: ["python3", "${helper('slow-runtime.py')}", "{port}", "{base_url}", "3", "fail", "{workspace}"]
`;

interface ProgressEvent {
  progress: number;
  message: string;
  html_message?: string;
  ready?: boolean;
  failed?: boolean;
  url?: string;
  nbhub?: { line?: string };
}

let hub: TestHub;
let token: string;

beforeAll(async () => {
  hub = await startTestHub({ config: CONFIG });
  token = hub.addUser('alice');
});

afterAll(async () => {
  await hub?.dispose();
});

const progressPath = (server: string) => `/hub/api/users/alice/${server === '' ? 'server' : `servers/${server}`}/progress`;

/** Asks for a start and answers at once (Prefer: respond-async), as the console does. */
const begin = async (server: string, profile: string) => {
  const r = await hub.api(`/hub/api/users/alice/servers/${server}`, { method: 'POST', token, body: { profile }, headers: { prefer: 'respond-async' } });
  expect(r.status).toBe(202);
  const model = (await r.json()) as { pending: string | null };
  expect(model.pending).toBe('spawn');
};

/**
 * Reads the stream until the hub closes it; `onEvent` sees each event as it arrives (the test looks at the
 * server then). Returns the response and every event.
 */
const readStream = async (path: string, onEvent?: (e: ProgressEvent) => Promise<void>) => {
  const res = await hub.api(path, { token });
  const events = await readSseJson<ProgressEvent>(res, onEvent);
  return { res, events };
};

/** A GET as a browser sends it (fetch would follow the redirect and set Sec-Fetch-* itself). */
const browserGet = (path: string, headers: Record<string, string>) =>
  new Promise<{ status: number; location: string | undefined; body: string }>((resolve, reject) => {
    const req = request(`${hub.url}${path}`, { headers: { authorization: `token ${token}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });

const serverModel = async (server: string) => {
  const u = (await (await hub.api('/hub/api/users/alice?include_stopped_servers=1', { token })).json()) as { servers: Record<string, { ready: boolean; nbhub: { state: string } }> };
  return u.servers[server];
};

describe('the start progress stream', { timeout: 90_000 }, () => {
  it("sends the runtime's lines while it starts, with rising progress, then ready with the server's URL", async () => {
    await begin('slow1', 'slow');
    // While lines come, the server is still starting: they are sent as printed, not after the fact.
    const statesAtLines: string[] = [];
    const { res, events } = await readStream(progressPath('slow1'), async (e) => {
      if (e.nbhub?.line !== undefined && statesAtLines.length < 2) statesAtLines.push((await serverModel('slow1'))?.nbhub.state ?? '?');
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');

    expect(events[0]).toEqual({ progress: 0, message: 'Server requested' });
    const lines = events.filter((e) => e.nbhub?.line !== undefined).map((e) => e.nbhub?.line);
    expect(lines.slice(0, 5)).toEqual(['loading step 1 of 5', 'loading step 2 of 5', 'loading step 3 of 5', 'loading step 4 of 5', 'loading step 5 of 5']);
    expect(statesAtLines).toEqual(['pending', 'pending']);
    // Each line is also the event's message, for JupyterHub's clients.
    expect(events.find((e) => e.nbhub?.line !== undefined)?.message).toBe('loading step 1 of 5');
    const progress = events.map((e) => e.progress);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.slice(0, -1).every((p) => p < 100)).toBe(true);

    const last = events.at(-1);
    expect(last).toMatchObject({ progress: 100, ready: true, url: '/user/alice/slow1/', message: 'Server ready at /user/alice/slow1/' });
    expect(last?.html_message).toBe('Server ready at <a href="/user/alice/slow1/">/user/alice/slow1/</a>');
    expect(events.filter((e) => e.ready).length).toBe(1);
    expect((await serverModel('slow1'))?.ready).toBe(true);
  });

  it('on a running server sends the ready event at once and closes', async () => {
    const { res, events } = await readStream(progressPath('slow1'));
    expect(res.status).toBe(200);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ progress: 100, ready: true, url: '/user/alice/slow1/' });
  });

  it('answers 400 on a server that is not starting, 404 on one that does not exist', async () => {
    const stop = await hub.api('/hub/api/users/alice/servers/slow1', { method: 'DELETE', token });
    expect([202, 204]).toContain(stop.status);
    await expect.poll(async () => (await serverModel('slow1'))?.nbhub.state, { timeout: 30_000 }).toBe('stopped');
    const stopped = await hub.api(progressPath('slow1'), { token });
    expect(stopped.status).toBe(400);
    expect(((await stopped.json()) as { message: string }).message).toBe("alice's server slow1 is not starting (it is stopped)");

    const unknown = await hub.api(progressPath('nothing'), { token });
    expect(unknown.status).toBe(404);
    // The default server, never started, is not starting either.
    const never = await hub.api(progressPath(''), { token });
    expect(never.status).toBe(400);
    expect(((await never.json()) as { message: string }).message).toBe("alice's server is not starting (it is stopped)");
  });

  it('sends what a failing runtime printed, then failed with the reason; a later stream says failed at once', async () => {
    await begin('broken1', 'broken');
    const { events } = await readStream(progressPath('broken1'));
    const lines = events.filter((e) => e.nbhub?.line !== undefined).map((e) => e.nbhub?.line);
    expect(lines).toContain('loading step 1 of 3');
    expect(lines).toContain('loading step 3 of 3');
    const last = events.at(-1);
    expect(last?.failed).toBe(true);
    expect(last?.progress).toBe(100);
    expect(last?.message).toMatch(/^Spawn failed: .*status 3/);
    expect(events.some((e) => e.ready)).toBe(false);

    const again = await readStream(progressPath('broken1'));
    expect(again.events).toHaveLength(1);
    expect(again.events[0]?.failed).toBe(true);
    expect(again.events[0]?.message).toBe(last?.message);
  });

  it('sends a browser opening a starting server to its start page; other requests keep their 503', async () => {
    await begin('slow2', 'slow');
    const page = await browserGet('/user/alice/slow2/tree?x=1', { accept: 'text/html,application/xhtml+xml', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' });
    expect(page.status).toBe(302);
    expect(page.location).toBe(`/hub/spawn-pending/alice/slow2?next=${encodeURIComponent('/user/alice/slow2/tree?x=1')}`);

    const fetched = await browserGet('/user/alice/slow2/api/status', { accept: '*/*', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' });
    expect(fetched.status).toBe(503);
    expect((JSON.parse(fetched.body) as { message: string }).message).toBe('Server slow2 of alice is not running (starting)');

    // A stream opened late still gets the lines printed so far, then the rest, then ready.
    const { events } = await readStream(progressPath('slow2'));
    expect(events.filter((e) => e.nbhub?.line !== undefined).map((e) => e.nbhub?.line)).toContain('loading step 5 of 5');
    expect(events.at(-1)?.ready).toBe(true);
  });

  it('a start without Prefer: respond-async still waits for readiness as JupyterHub does (201)', async () => {
    const r = await hub.api('/hub/api/users/alice/servers/slow3', { method: 'POST', token, body: { profile: 'slow' } });
    expect(r.status).toBe(201);
  });
});
