import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { RuntimeApiError } from '../core/runtime-client.js';
import { HttpRuntimeClient } from './client.js';

const seen: string[] = [];
let answer: (method: string, path: string) => [number, unknown] = () => [200, []];
const server = createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
  const [status, body] = answer(req.method ?? '', new URL(req.url ?? '/', 'http://x').pathname);
  res.writeHead(status, { 'content-type': 'application/json' }).end(body === undefined ? '' : JSON.stringify(body));
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const rt = { target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, baseUrl: '/user/a/', token: 'tok' };
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen.length = 0;
});

const client = new HttpRuntimeClient({ lookTimeoutMs: 1000, actionTimeoutMs: 1000 });

it('marks every look at a runtime no_track_activity, so jupyter_server does not count nbhub as a user; actions are not marked', async () => {
  answer = (_m, path) => (path.endsWith('/api/status') ? [200, {}] : path.includes('/contents/') ? [200, { content: { cells: [] } }] : path.endsWith('/api/kernels/k%201') ? [200, { id: 'k 1' }] : [200, []]);
  await client.sessions(rt);
  await client.kernels(rt);
  await client.kernel(rt, 'k 1');
  await client.status(rt);
  await client.cellIds(rt, 'dir/a b.ipynb');
  await client.act(rt, 'k 1', 'interrupt');
  await client.act(rt, 'k 1', 'restart');
  await client.act(rt, 'k 1', 'shutdown');
  expect(seen).toEqual([
    'GET /user/a/api/sessions?no_track_activity=1 token tok',
    'GET /user/a/api/kernels?no_track_activity=1 token tok',
    'GET /user/a/api/kernels/k%201?no_track_activity=1 token tok',
    'GET /user/a/api/status?no_track_activity=1 token tok',
    'GET /user/a/api/contents/dir/a%20b.ipynb?type=notebook&content=1&no_track_activity=1 token tok',
    'POST /user/a/api/kernels/k%201/interrupt token tok',
    'POST /user/a/api/kernels/k%201/restart token tok',
    'DELETE /user/a/api/kernels/k%201 token tok',
  ]);
});

it('tells a restart of a kernel the runtime does not have (its 500) from one that failed', async () => {
  let exists = false;
  answer = (method) => (method === 'POST' ? [500, { message: 'Internal Server Error' }] : exists ? [200, { id: 'k1' }] : [404, { message: 'Kernel does not exist: k1' }]);
  expect(await client.act(rt, 'k1', 'restart')).toBe('no-such-kernel');
  exists = true;
  await expect(client.act(rt, 'k1', 'restart')).rejects.toMatchObject({ failure: 'status', status: 500, code: 'UNAVAILABLE', message: 'The runtime answered 500 to POST api/kernels/k1/restart' });
});

it('gives up on a runtime that does not answer in time, as down', async () => {
  answer = () => [200, []];
  const stalled = createServer(() => undefined);
  await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
  try {
    const err = await client.kernels({ ...rt, target: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeApiError);
    expect(err).toMatchObject({ failure: 'down', status: null, message: 'The runtime did not answer: no answer to GET api/kernels within 1000 ms' });
  } finally {
    stalled.closeAllConnections();
    await new Promise<void>((r) => stalled.close(() => r()));
  }
});
