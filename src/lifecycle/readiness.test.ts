import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitReady } from './readiness.js';

describe('waitReady: the start timeout', () => {
  let srv: Server;
  let url = '';
  beforeAll(async () => {
    // A runtime that never gets ready.
    srv = createServer((_req, res) => res.writeHead(503).end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(srv.address() as { port: number }).port}/api`;
  });
  afterAll(() => new Promise((r) => srv.close(r)));

  it('counts on the injected clock: a start timeout of an hour ends when that clock says an hour went by', async () => {
    let now = 1_800_000_000_000;
    const clock = { now: () => now };
    let probes = 0;
    const outcome = await waitReady({
      url,
      token: 't',
      timeoutMs: 3_600_000,
      clock,
      signal: new AbortController().signal,
      // Each round, 20 minutes pass on the hub's clock.
      exited: async () => {
        probes++;
        now += 1_200_000;
        return false;
      },
    });
    expect(outcome).toBe('timeout');
    expect(probes).toBe(3);
  });
});
