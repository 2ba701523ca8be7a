import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { followLogLines as follow } from './helpers/log-follow.js';

const BYTES_PER_FILE = 256 * 1024;

// Each runtime serves 200 at any path; {workspace} is on the command line so the test hub's cleanup finds it.
const SERVE = "require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1');";
// Prints what a file named say.txt in its workspace says, once it appears: a line on demand, no timing guess.
const TALK = `${SERVE} const fs = require('fs'); console.log('talker ready'); setInterval(() => { try { const t = fs.readFileSync('say.txt', 'utf8'); fs.unlinkSync('say.txt'); console.log(t.trim()); } catch {} }, 20);`;
// 5 MB of numbered lines as fast as it can, then a last line.
const FLOOD = `${SERVE} const pad = 'x'.repeat(90); let i = 0; const more = () => { let ok = true; while (i < 52000 && ok) ok = process.stdout.write('flood ' + (i++) + ' ' + pad + '\\n'); if (i < 52000) process.stdout.once('drain', more); else setTimeout(() => console.log('flood done'), 1000); }; more();`;

const CONFIG = `
logs:
  bytes_per_file: ${BYTES_PER_FILE}
  poll_seconds: 0.2
profiles:
  crashing:
    command: ["sh", "-c", "echo starting up; echo 'fatal: cannot open /nonexistent/config.yaml' >&2; exit 3", "{workspace}"]
  talker:
    command: ["node", "-e", ${JSON.stringify(TALK)}, "{port}", "{workspace}"]
    readiness_path: ""
  flood:
    command: ["node", "-e", ${JSON.stringify(FLOOD)}, "{port}", "{workspace}"]
    readiness_path: ""
`;

interface LogAnswer {
  starts: Array<{ id: string; index: number; profile: string; streams: string[] }>;
  start: string | null;
  lines: string[];
  next: number;
}

describe('logs people can read', () => {
  let hub: TestHub;
  let alice: string;
  let bob: string;
  const logs = async (path: string, token = alice) => {
    const r = await hub.api(`/hub/api/users/alice/${path}`, { token });
    expect(r.status, await r.clone().text()).toBe(200);
    return (await r.json()) as LogAnswer;
  };
  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG });
    alice = hub.addUser('alice');
    bob = hub.addUser('bob');
  });
  afterAll(() => hub?.dispose());

  it("shows a failing runtime's log with its failure, in the API and in the server model", async () => {
    const r = await hub.api('/hub/api/users/alice/servers/bad', { method: 'POST', token: alice, body: { profile: 'crashing' } });
    expect(r.status).toBe(500);
    const answer = await logs('servers/bad/logs');
    expect(answer.lines).toEqual(['starting up', 'fatal: cannot open /nonexistent/config.yaml']);
    expect(answer.starts).toMatchObject([{ index: 0, profile: 'crashing', streams: ['runtime'] }]);
    const model = (await (await hub.api('/hub/api/users/alice?include_stopped_servers', { token: alice })).json()) as { servers: Record<string, { nbhub: { log_tail: string; message: string } }> };
    expect(model.servers['bad']?.nbhub.message).toMatch(/status 3/);
    expect(model.servers['bad']?.nbhub.log_tail).toContain('fatal: cannot open /nonexistent/config.yaml');
    // A second start keeps the first one's log apart.
    await hub.api('/hub/api/users/alice/servers/bad', { method: 'POST', token: alice });
    const again = await logs('servers/bad/logs?start=0');
    expect(again.starts).toHaveLength(2);
    expect(again.lines).toContain('starting up');
  });

  it('refuses another user, on the range and on follow', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/bad/logs', { token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/users/alice/servers/bad/logs?follow=1', { token: bob })).status).toBe(404);
    expect((await hub.api('/hub/api/users/alice/servers/bad/logs')).status).toBe(403);
  });

  it('follow=1 delivers a line the runtime prints as it prints it', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/talk', { method: 'POST', token: alice, body: { profile: 'talker' } })).status).toBe(201);
    await expect.poll(async () => (await logs('servers/talk/logs')).lines, { timeout: 20_000 }).toContain('talker ready');
    const ac = new AbortController();
    const res = await fetch(`${hub.url}/hub/api/users/alice/servers/talk/logs?follow=1`, { headers: { authorization: `token ${alice}` }, signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: Array<{ line: string; at: number }> = [];
    const done = follow(res, (line) => seen.push({ line, at: performance.now() }));
    await expect.poll(() => seen.map((s) => s.line), { timeout: 20_000 }).toContain('talker ready');
    const said = `hello at ${Date.now()}`;
    const written = performance.now();
    writeFileSync(join(hub.dataDir, 'workspaces', 'alice', 'talk', 'say.txt'), said);
    await expect.poll(() => seen.map((s) => s.line), { timeout: 20_000 }).toContain(said);
    const arrived = seen.find((s) => s.line === said)?.at ?? NaN;
    // A figure, not an assertion (shared machine): the runtime polls for the file every 20 ms.
    console.log(`follow: a printed line arrived ${(arrived - written).toFixed(0)} ms after the file asking for it was written`);
    ac.abort();
    await done;
  });

  it('keeps the logs after the hub is killed with SIGKILL and started again', async () => {
    await hub.kill('SIGKILL');
    await hub.restart();
    expect((await logs('servers/bad/logs?start=0')).lines).toContain('fatal: cannot open /nonexistent/config.yaml');
    expect((await logs('servers/talk/logs')).lines).toContain('talker ready');
  });

  // Rotation is copytruncate (the runtime holds its file open): a line written in the instant between the last
  // catch-up copy and the truncate is lost, as logrotate documents. The last line comes after a pause, so what this
  // checks is that rotation keeps the newest lines, not that the flood's writes never meet that instant.
  it('rotates a log while the runtime prints 5 MB: the newest lines stay and the files stay bounded', async () => {
    expect((await hub.api('/hub/api/users/alice/servers/flood', { method: 'POST', token: alice, body: { profile: 'flood' } })).status).toBe(201);
    // The last line is there; the one before it is one of the flood's last lines (lines written in the
    // copy-to-truncate instant of the last rotation may be lost: CI once lost 51839-51999, 16 KB).
    await expect.poll(async () => (await logs('servers/flood/logs?tail=2')).lines[1], { timeout: 60_000, interval: 500 }).toBe('flood done');
    const before = /^flood (\d+) x{90}$/.exec((await logs('servers/flood/logs?tail=2')).lines[0] ?? '');
    expect(Number(before?.[1])).toBeGreaterThan(52000 - BYTES_PER_FILE / 100);
    const dir = join(hub.dataDir, 'logs', 'alice', 'flood');
    const sizes = () => readdirSync(dir).filter((n) => n.includes('-runtime.log') && !n.endsWith('.pos')).map((n) => statSync(join(dir, n)).size);
    // Rotated at least once (a .1 exists), and each part is back under the limit once the hub has looked.
    await expect.poll(() => sizes().length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => Math.max(...sizes()), { timeout: 10_000 }).toBeLessThanOrEqual(BYTES_PER_FILE);
    // The start and the 60 s wait for the flood's end both fit: on a machine shared with the Spark tests' JVMs the
    // start alone can take seconds, and the runner's default (60 s) cut the test before the wait's own bound.
  }, 120_000);

  it('deletes the logs with the server', async () => {
    await hub.api('/hub/api/users/alice/servers/flood', { method: 'DELETE', token: alice, body: { remove: true } });
    await expect.poll(async () => (await hub.api('/hub/api/users/alice/servers/flood/logs', { token: alice })).status, { timeout: 20_000 }).toBe(404);
    expect(existsSync(join(hub.dataDir, 'logs', 'alice', 'flood'))).toBe(false);
  });
});
