import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/spawners/local/ports.js';
import { killAndWait, NBHUB_BIN } from './hub.js';

export interface TestAgent {
  url: string;
  dataDir: string;
  output(): string;
  /** The agent's id and secret, from its data dir. */
  identity(): { id: string; secret: string };
  /** The agent's newest offset, asked of the agent itself. */
  head(): Promise<number>;
  kill(signal: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  dispose(): Promise<void>;
}

/** `nbhub agent` as a real process (killed with real signals), with its own data dir and port. */
export const startTestAgent = async (o: { hub: string; token: string; env?: Record<string, string> }): Promise<TestAgent> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'nbhub-agent-test-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  let proc!: ChildProcess;
  const identity = () => JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as { id: string; secret: string };
  const launch = async () => {
    proc = spawn(process.execPath, [NBHUB_BIN, 'agent', '--hub', o.hub, '--port', String(port), '--data-dir', dataDir], {
      env: { ...process.env, NBHUB_AGENT_TOKEN: o.token, NBHUB_AGENT_LOG_LEVEL: 'warn', ...o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    proc.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`agent exited with ${proc.exitCode}:\n${log}`);
      try {
        if ((await fetch(`${url}/agent/v1/events?limit=0`, { headers: { authorization: `Bearer ${identity().secret}` } })).ok) return;
      } catch {
        // not yet
      }
      if (Date.now() > deadline) throw new Error(`agent did not come up:\n${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await launch();
  const agent: TestAgent = {
    url,
    dataDir,
    output: () => log,
    identity,
    head: async () => {
      const r = await fetch(`${url}/agent/v1/events?limit=0`, { headers: { authorization: `Bearer ${identity().secret}` } });
      return ((await r.json()) as { head: number }).head;
    },
    kill: (signal) => killAndWait(proc, signal),
    restart: launch,
    dispose: async () => {
      await agent.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return agent;
};
