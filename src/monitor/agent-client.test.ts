import { describe, expect, it } from 'vitest';
import { eventSourceContract } from '../agent/event-source.contract.js';
import { createAgentServer, listen } from '../agent/http-server.js';
import { agentOnFakeMachine } from '../agent/testing.js';
import { silentLogger } from '../core/logger.js';
import { HttpAgentClient } from './agent-client.js';

eventSourceContract('agent over HTTP', async (f) => {
  const server = createAgentServer({ agent: f.agent, secret: () => 's3cret', log: silentLogger });
  const port = await listen(server, '127.0.0.1', 0);
  return { source: new HttpAgentClient(`http://127.0.0.1:${port}`, 's3cret', 5000), close: () => new Promise((r) => server.close(() => r())) };
});

describe('agent HTTP API', () => {
  it('answers only the hub with its secret, and names a bad parameter', async () => {
    const f = agentOnFakeMachine();
    await f.sweeps(1);
    const server = createAgentServer({ agent: f.agent, secret: () => 's3cret', log: silentLogger });
    const port = await listen(server, '127.0.0.1', 0);
    const get = (path: string, auth?: string) => fetch(`http://127.0.0.1:${port}${path}`, { headers: auth ? { authorization: auth } : {} });
    try {
      expect((await get('/agent/v1/events')).status).toBe(401);
      expect((await get('/agent/v1/events', 'Bearer wrong')).status).toBe(401);
      expect((await get('/agent/v1/processes', 'Bearer s3cre')).status).toBe(401);
      const bad = await get('/agent/v1/events?after=-1', 'Bearer s3cret');
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toMatch(/^after:/);
      expect(((await (await get('/agent/v1/events?limit=x', 'Bearer s3cret')).json()) as { message: string }).message).toMatch(/^limit:/);
      expect(((await (await get('/agent/v1/events?since=1', 'Bearer s3cret')).json()) as { message: string }).message).toMatch(/^since: unknown/);
      expect((await get('/agent/v1/events?after=0&limit=5', 'Bearer s3cret')).status).toBe(200);
    } finally {
      await new Promise((r) => server.close(r));
      await f.dispose();
    }
  });
});
