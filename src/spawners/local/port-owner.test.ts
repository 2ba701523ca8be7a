import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { runtimeHoldsPort } from './port-owner.js';

const children: ChildProcess[] = [];
const servers: Server[] = [];
afterAll(() => {
  children.forEach((c) => c.kill('SIGKILL'));
  servers.forEach((s) => s.close());
});

/** A process standing for a runtime's root (or for a stranger), with the environment given. */
const sleeper = (env: Record<string, string>): number => {
  const c = spawn('sleep', ['60'], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: 'ignore' });
  children.push(c);
  return c.pid as number;
};

/** A listener on 127.0.0.1 in a process of its own, with the environment given; resolves with its port. */
const listener = (env: Record<string, string>): Promise<number> =>
  new Promise((ok, fail) => {
    const py = 'import socket,sys,time\ns=socket.socket();s.bind(("127.0.0.1",0));s.listen();print(s.getsockname()[1],flush=True);time.sleep(60)';
    const c = spawn('python3', ['-c', py], { env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(c);
    c.stdout?.once('data', (d: Buffer) => ok(Number(d.toString().trim())));
    c.once('error', fail);
  });

describe('runtimeHoldsPort', () => {
  it("says yes for a port of the runtime's tree, no for anyone else's", async () => {
    const srv = createServer();
    await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
    servers.push(srv);
    const port = (srv.address() as AddressInfo).port;
    // This test process is the root; its listening socket is its own.
    expect(runtimeHoldsPort(process.pid, port)).toBe(true);
    // A stranger's tree does not hold it.
    expect(runtimeHoldsPort(sleeper({}), port)).toBe(false);
    // Nobody listens: no.
    srv.close();
    servers.pop();
    await new Promise((ok) => setTimeout(ok, 50));
    expect(runtimeHoldsPort(process.pid, port)).toBe(false);
  });

  it("counts processes beside the tree that carry the runtime's marker (named apps), and only those", async () => {
    const marker = { NBHUB_RUNTIME: 'alice/lab', NBHUB_HUB: 'h1' };
    const port = await listener(marker);
    expect(runtimeHoldsPort(sleeper(marker), port)).toBe(true);
    expect(runtimeHoldsPort(sleeper({ NBHUB_RUNTIME: 'bob/lab', NBHUB_HUB: 'h1' }), port)).toBe(false);
    expect(runtimeHoldsPort(sleeper({ NBHUB_RUNTIME: 'alice/lab', NBHUB_HUB: 'other-hub' }), port)).toBe(false);
    expect(runtimeHoldsPort(sleeper({}), port)).toBe(false);
  });
});
