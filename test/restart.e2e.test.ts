import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execute, jupyterSettings, managers } from './helpers/jupyter.js';
import { startTestHub, type TestHub } from './helpers/hub.js';

// Asks the OS, not the hub: the runtime is the jupyter process whose command line names this user's workspace.
const runtimePid = (hub: TestHub, user: string): number => {
  const pids = listPids(`${hub.dataDir}/workspaces/${user}/`);
  expect(pids.length).toBe(1);
  return pids[0] as number;
};

const listPids = (needle: string): number[] => {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('notebook_dir=' + needle) || cmd.includes('root_dir=' + needle)) out.push(Number(e));
    } catch {
      // gone
    }
  }
  return out;
};

describe('hub restarts (real Jupyter)', () => {
  let hub: TestHub;
  let token: string;
  beforeAll(async () => {
    hub = await startTestHub();
    token = hub.addUser('carol');
  });
  afterAll(() => hub?.dispose());

  it('adopts a live runtime after SIGKILL: same process, same kernel, variables intact', async () => {
    expect((await hub.api('/hub/api/users/carol/server', { method: 'POST', token })).status).toBe(201);
    const pid = runtimePid(hub, 'carol');
    const m = managers(jupyterSettings(hub.url, '/user/carol/', token));
    const kernel = await m.kernels.startNew({ name: 'python3' });
    expect((await execute(kernel, 'secret = "kept across the crash"')).status).toBe('ok');
    const kernelId = kernel.id;
    m.dispose();

    await hub.kill('SIGKILL');
    await hub.restart();

    expect(runtimePid(hub, 'carol')).toBe(pid);
    const model = (await (await hub.api('/hub/api/users/carol', { token })).json()) as { servers: Record<string, { ready: boolean }> };
    expect(model.servers['']?.ready).toBe(true);
    const m2 = managers(jupyterSettings(hub.url, '/user/carol/', token));
    const again = m2.kernels.connectTo({ model: { id: kernelId, name: 'python3' } });
    expect((await execute(again, 'print(secret)')).output).toBe('kept across the crash\n');
    m2.dispose();
  });

  it('marks a runtime that died while the hub was down as stopped, and can start it again', async () => {
    const pid = runtimePid(hub, 'carol');
    await hub.kill('SIGKILL');
    process.kill(-pid, 'SIGKILL');
    await expect.poll(() => listPids(`${hub.dataDir}/workspaces/carol/`).length).toBe(0);
    await hub.restart();
    const model = (await (await hub.api('/hub/api/users/carol?include_stopped_servers', { token })).json()) as {
      servers: Record<string, { ready: boolean; stopped: boolean; nbhub: { state: string } }>;
    };
    expect(model.servers['']?.nbhub.state).toBe('stopped');
    expect(model.servers['']?.stopped).toBe(true);
    expect((await hub.api('/hub/api/users/carol/server', { method: 'POST', token })).status).toBe(201);
    expect(listPids(`${hub.dataDir}/workspaces/carol/`)).toHaveLength(1);
  });

  it('on SIGTERM stops cleanly and leaves runtimes running by default, to be adopted', async () => {
    const pid = runtimePid(hub, 'carol');
    await hub.kill('SIGTERM');
    expect(hub.proc.exitCode).toBe(0);
    expect(listPids(`${hub.dataDir}/workspaces/carol/`)).toEqual([pid]);
    await hub.restart();
    expect(runtimePid(hub, 'carol')).toBe(pid);
    expect((await hub.api('/user/carol/api/status', { token })).status).toBe(200);
  });
});

describe('hub SIGTERM with lifecycle.stop_runtimes_on_shutdown', () => {
  it('stops the runtimes too', async () => {
    const hub = await startTestHub({ config: 'lifecycle:\n  stop_runtimes_on_shutdown: true\n' });
    try {
      const token = hub.addUser('dan');
      expect((await hub.api('/hub/api/users/dan/server', { method: 'POST', token })).status).toBe(201);
      expect(listPids(`${hub.dataDir}/workspaces/dan/`)).toHaveLength(1);
      await hub.kill('SIGTERM');
      expect(hub.proc.exitCode).toBe(0);
      expect(listPids(`${hub.dataDir}/workspaces/dan/`)).toEqual([]);
    } finally {
      await hub.dispose();
    }
  });
});

describe('a fresh install', () => {
  it('tells the operator how to create the first admin at every start while there is none', async () => {
    // At info level the hub says it listens right after the hint (if any), so each start's output can be counted.
    const hub = await startTestHub({ env: { NBHUB_LOG_LEVEL: 'info' } });
    try {
      const notice = 'nbhub has no admin yet. Create the first admin';
      const count = (s: string) => hub.output().split(s).length - 1;
      const started = async (n: number) => {
        await expect.poll(() => count(' listening on ')).toBe(n);
        // The hint goes to stderr just before that stdout line: give the pipe a moment to be read.
        await new Promise((r) => setTimeout(r, 300));
      };
      await started(1);
      expect(count(notice)).toBe(1);
      expect(hub.output()).toMatch(/nbhub(\.js)? user add admin --admin --password-stdin/);
      await hub.kill('SIGTERM');
      await hub.restart();
      await started(2);
      expect(count(notice)).toBe(2);
      // A user who is not an admin does not end it.
      hub.addUser('alice');
      await hub.kill('SIGTERM');
      await hub.restart();
      await started(3);
      expect(count(notice)).toBe(3);
      hub.addUser('root', { admin: true });
      await hub.kill('SIGTERM');
      await hub.restart();
      await started(4);
      expect(count(notice)).toBe(3);
    } finally {
      await hub.dispose();
    }
  }, 120_000);
});
