import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAgent, type OpenedAgent } from '../cli/compose/agent.js';
import { createAgentServer, listen } from '../agent/http-server.js';
import { inProcessDoor } from '../agent/local-door.js';
import { DOOR_HUB, processDoorContract } from '../agent/process-door.contract.js';
import { systemClock } from '../core/clock.js';
import { cryptoIds } from '../core/ids.js';
import { silentLogger } from '../core/logger.js';
import { HttpRuntimeClient } from '../runtime-api/client.js';
import type { AgentRecord } from '../core/store.js';
import { HttpAgentClient } from './agent-client.js';
import { RemoteProcessDoor } from './remote-door.js';

/** A real agent on this machine (sweeps inline), following DOOR_HUB's runtimes. */
const realAgent = (): { opened: OpenedAgent; dispose: () => Promise<void> } => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-door-agent-'));
  const opened = openAgent({
    dir,
    maxLogBytes: 1 << 20,
    pss: false,
    clock: systemClock,
    logger: silentLogger,
    ids: cryptoIds,
    seeds: { lastCounters: async () => new Map() },
    runtimeApi: new HttpRuntimeClient(),
    settings: () => ({ hubId: DOOR_HUB, intervalSeconds: 1, match: null }),
    inline: true,
  });
  return {
    opened,
    dispose: async () => {
      await opened.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const record = (id: string, url: string, secret: string, lastError: string | null = null): AgentRecord =>
  ({ id, url, secret, lastError, registeredAt: 0, lastContact: null, storedOffset: 0, storedTime: null, headOffset: 0, headTime: null, eventsLost: 0, leaseOwner: null, leaseExpires: null });

const serve = async (opened: OpenedAgent): Promise<{ server: Server; url: string }> => {
  const server = createAgentServer({ agent: opened.agent, secret: () => opened.identity.secret, log: silentLogger });
  const port = await listen(server, '127.0.0.1', 0);
  return { server, url: `http://127.0.0.1:${port}` };
};

processDoorContract('in-process agent', async () => {
  const a = realAgent();
  return { door: inProcessDoor(a.opened.agent), close: a.dispose };
});

processDoorContract('agent over its HTTP API (asked after an agent that does not answer)', async () => {
  const a = realAgent();
  const { server, url } = await serve(a.opened);
  const door = new RemoteProcessDoor({
    // A registered agent that is down comes first: the door goes on to the next.
    agents: { list: async () => [record('down', 'http://127.0.0.1:9', 'x'), record(a.opened.identity.id, url, a.opened.identity.secret)] },
    reporterOf: () => 'down',
    connect: (rec) => new HttpAgentClient(rec.url as string, rec.secret ?? '', 5000),
    clock: systemClock,
    log: silentLogger,
  });
  return {
    door,
    close: async () => {
      server.close();
      server.closeAllConnections();
      await a.dispose();
    },
  };
});

describe("the process door's agent API", () => {
  it('answers bad input with a 400 naming it, an unknown runtime with a 404 saying so, and only with the secret', async () => {
    const a = realAgent();
    const { server, url } = await serve(a.opened);
    const auth = { authorization: `Bearer ${a.opened.identity.secret}`, 'content-type': 'application/json' };
    const post = (body: unknown, headers: Record<string, string> = auth) => fetch(`${url}/agent/v1/runtime/signal`, { method: 'POST', headers, body: JSON.stringify(body) });
    const get = (path: string) => fetch(`${url}${path}`, { headers: auth });
    try {
      for (const [body, name] of [
        [{ user: 'ann', server: '', pid: 0, signal: 'SIGTERM' }, 'pid'],
        [{ user: 'ann', server: '', pid: '12', signal: 'SIGTERM' }, 'pid'],
        [{ user: 'ann', server: '', pid: 12, signal: 'SIGSTOP' }, 'signal'],
        [{ user: '../x', server: '', pid: 12, signal: 'SIGTERM' }, 'user'],
        [{ user: 'ann', server: 'a/b', pid: 12, signal: 'SIGTERM' }, 'server'],
        [{ user: 'ann', server: '', pid: 12, signal: 'SIGTERM', started: 'now' }, 'started'],
        [{ user: 'ann', server: '', pid: 12, signal: 'SIGTERM', colour: 'red' }, 'colour'],
        ['[1]', 'body'],
      ] as const) {
        const r = await post(body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(((await r.json()) as { message: string }).message.startsWith(`${name}:`), JSON.stringify(body)).toBe(true);
      }
      for (const [path, name] of [
        ['/agent/v1/runtime/processes?user=ann', 'server'],
        ['/agent/v1/runtime/processes?user=ann&server=&server=x', 'server'],
        ['/agent/v1/runtime/kernel-reading?user=ann&server=&kernel=../x', 'kernel'],
      ] as const) {
        const r = await get(path);
        expect(r.status, path).toBe(400);
        expect(((await r.json()) as { message: string }).message.startsWith(`${name}:`), path).toBe(true);
      }
      const unknown = await post({ user: 'nobody', server: '', pid: process.pid, signal: 'SIGTERM' });
      expect([unknown.status, ((await unknown.json()) as { reason: string }).reason]).toEqual([404, 'no-such-runtime']);
      const processes = await get('/agent/v1/runtime/processes?user=nobody&server=');
      expect([processes.status, ((await processes.json()) as { reason: string }).reason]).toEqual([404, 'no-such-runtime']);
      expect((await post({ user: 'nobody', server: '', pid: process.pid, signal: 'SIGTERM' }, { authorization: 'Bearer wrong' })).status).toBe(401);
    } finally {
      server.close();
      server.closeAllConnections();
      await a.dispose();
    }
  });
});
