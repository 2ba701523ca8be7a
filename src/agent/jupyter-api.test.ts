import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, expect, it } from 'vitest';
import { callRuntime } from './jupyter-api.js';

const seen: string[] = [];
const server = createServer((req, res) => {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization}`);
  res.setHeader('content-type', 'application/json');
  res.end('[]');
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const rt = { target: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, baseUrl: '/user/a/', token: 'tok' };
afterAll(() => new Promise<void>((r) => server.close(() => r())));

it('marks every look at a runtime no_track_activity, so jupyter_server does not count nbhub as a user; actions are not marked', async () => {
  await callRuntime(rt, 'GET', 'api/sessions');
  await callRuntime(rt, 'GET', 'api/kernels/k1');
  await callRuntime(rt, 'POST', 'api/kernels/k1/interrupt');
  expect(seen).toEqual([
    'GET /user/a/api/sessions?no_track_activity=1 token tok',
    'GET /user/a/api/kernels/k1?no_track_activity=1 token tok',
    'POST /user/a/api/kernels/k1/interrupt token tok',
  ]);
});
