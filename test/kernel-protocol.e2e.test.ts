/**
 * The kernel protocol both generations of Jupyter speak, through the hub's proxy (issue 13, item 3): JupyterLab 4's
 * client (@jupyterlab/services 7) on jupyter_server 2 negotiates the binary v1.kernel.websocket.jupyter.org
 * subprotocol; a client that asks for none speaks the JSON protocol (binary only for messages with buffers).
 * Executions, activity and interrupts must work for both, with buffers, and with messages over 1 MiB. The
 * same legacy client, and JupyterLab's, then run against Debian's classic Notebook 6, which knows no v1.
 */
import { createHash, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { KernelMessage, ServerConnection, type Kernel } from '@jupyterlab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { endedExecutions, listExecutions, run, type ExecutionItem } from './helpers/executions.js';
import { startTestHub, type TestHub } from './helpers/hub.js';
import { managers } from './helpers/jupyter.js';

const V1 = 'v1.kernel.websocket.jupyter.org';
const MiB = 1 << 20;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A cell of 2 MiB: more than the 1 MiB the proxy used to read of a message. */
const bigCode = (tag: string) => `x = "${'a'.repeat(2 * MiB)}"; print(len(x), "${tag}")`;
/**
 * Monitoring looks at the runtimes once an hour, and the culler judges no one: any activity the server shows
 * during the test is what the proxy read in the kernel messages it carried.
 */
const CONFIG = 'monitoring:\n  interval_seconds: 1800\nculling:\n  enabled: false\n  idle_timeout_seconds: 0\n';

/** JupyterLab's client through the proxy, with the WebSockets it opens kept to look at. */
const labClient = (hub: TestHub, serverPath: string, token: string) => {
  const sockets: WebSocket[] = [];
  class Recorded extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      sockets.push(this);
    }
  }
  const settings = ServerConnection.makeSettings({
    baseUrl: hub.url + serverPath,
    wsUrl: hub.url.replace(/^http/, 'ws') + serverPath,
    token,
    appendToken: true,
    WebSocket: Recorded as unknown as typeof globalThis.WebSocket,
    fetch: globalThis.fetch,
    Request: globalThis.Request,
    Headers: globalThis.Headers,
  });
  const m = managers(settings);
  const connected = async (kernel: Kernel.IKernelConnection): Promise<WebSocket> => {
    await expect.poll(() => kernel.connectionStatus, { timeout: 20_000 }).toBe('connected');
    const ws = sockets.find((s) => s.url.includes(`/api/kernels/${kernel.id}/channels`) && s.readyState === WebSocket.OPEN);
    if (!ws) throw new Error('no open kernel WebSocket');
    return ws;
  };
  return { ...m, connected };
};

type Msg = { header: { msg_id: string; msg_type: string }; parent_header: { msg_id?: string }; content: Record<string, unknown>; channel: string; buffers: Buffer[] };

/**
 * A client of the JSON protocol: a plain WebSocket that asks for no subprotocol, sends execute_request as
 * JSON text (or in the legacy binary form when it carries buffers), and reads the kernel's replies.
 */
const legacyClient = async (hub: TestHub, serverPath: string, token: string, kernelId: string) => {
  const session = randomUUID();
  const ws = new WebSocket(`${hub.url.replace(/^http/, 'ws')}${serverPath}api/kernels/${kernelId}/channels?session_id=${session}`, { headers: { authorization: `token ${token}` } });
  await once(ws, 'open');
  const received: Msg[] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    if (!binary) received.push({ ...(JSON.parse(data.toString('utf8')) as Msg), buffers: [] });
    else {
      // uint32 BE count, the offsets, the JSON, the buffers.
      const n = data.readUInt32BE(0);
      const offsets = Array.from({ length: n }, (_, i) => data.readUInt32BE(4 * (i + 1)));
      const parts = offsets.map((o, i) => data.subarray(o, offsets[i + 1] ?? data.length));
      received.push({ ...(JSON.parse((parts[0] as Buffer).toString('utf8')) as Msg), buffers: parts.slice(1) });
    }
    for (const w of waiters.splice(0)) w();
  });
  const next = async (match: (m: Msg) => boolean, timeoutMs = 60_000): Promise<Msg> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = received.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no such kernel message');
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  /** Runs code; returns the reply's status and what the cell printed. */
  const execute = async (code: string, buffers: Buffer[] = []): Promise<{ status: string; output: string }> => {
    const msgId = randomUUID();
    const msg = {
      header: { msg_id: msgId, msg_type: 'execute_request', username: 'alice', session, date: new Date().toISOString(), version: '5.3' },
      parent_header: {},
      metadata: {},
      content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      channel: 'shell',
    };
    if (buffers.length === 0) ws.send(JSON.stringify(msg));
    else {
      const json = Buffer.from(JSON.stringify(msg));
      const parts = [json, ...buffers];
      const table = Buffer.alloc(4 * (parts.length + 1));
      table.writeUInt32BE(parts.length, 0);
      let at = table.length;
      parts.forEach((p, i) => {
        table.writeUInt32BE(at, 4 * (i + 1));
        at += p.length;
      });
      ws.send(Buffer.concat([table, ...parts]), { binary: true });
    }
    const reply = await next((m) => m.header.msg_type === 'execute_reply' && m.parent_header.msg_id === msgId);
    await next((m) => m.header.msg_type === 'status' && m.parent_header.msg_id === msgId && m.content['execution_state'] === 'idle');
    const output = received
      .filter((m) => m.parent_header.msg_id === msgId && m.header.msg_type === 'stream')
      .map((m) => String(m.content['text']))
      .join('');
    return { status: String(reply.content['status']), output };
  };
  return { ws, execute, close: () => ws.close() };
};

const startServer = async (hub: TestHub, token: string, server: string): Promise<string> => {
  const api = server === '' ? '/hub/api/users/alice/server' : `/hub/api/users/alice/servers/${server}`;
  const r = await hub.api(api, { method: 'POST', token });
  expect([201, 202], await r.clone().text()).toContain(r.status);
  const state = async () => ((await (await hub.api('/hub/api/users/alice', { token })).json()) as { servers: Record<string, { nbhub: { state: string } }> }).servers[server]?.nbhub.state;
  // Polled by hand: this runs in beforeAll, where expect.poll is not allowed.
  const deadline = Date.now() + 60_000;
  while ((await state()) !== 'running') {
    if (Date.now() > deadline) throw new Error(`server '${server}' did not start:\n${hub.output()}`);
    await sleep(250);
  }
  return server === '' ? '/user/alice/' : `/user/alice/${server}/`;
};

const lastActivity = async (hub: TestHub, token: string, server: string): Promise<number> => {
  const u = (await (await hub.api('/hub/api/users/alice', { token })).json()) as { servers: Record<string, { last_activity: string | null }> };
  return Date.parse(String(u.servers[server]?.last_activity));
};

/** The execution that ran `code` on `kernelId`, once it has ended. */
const executionOf = async (hub: TestHub, token: string, kernelId: string, code: string): Promise<ExecutionItem> => {
  let found: ExecutionItem | undefined;
  await expect
    .poll(
      async () => {
        const items = (await listExecutions(hub, `kernel=${kernelId}&limit=200`, token)).items;
        found = items.find((e) => e.code_sha256 === sha256(code) && e.status !== 'running');
        return found?.status;
      },
      { timeout: 20_000 },
    )
    .toBeDefined();
  return found as ExecutionItem;
};

/** What a recorded cell shows: how it ended, what it cost, and its code (kept up to max_code_bytes, hashed whole). */
const expectRecorded = (e: ExecutionItem, code: string) => {
  expect(e.status).toBe('ok');
  expect(e.cpu_seconds).toEqual(expect.any(Number));
  expect(e.code_sha256).toBe(sha256(code));
  if (code.length <= 65_536) expect(e.code).toBe(code);
  else expect(code.startsWith(e.code ?? '-')).toBe(true);
};

/** A 2 MiB cell through `execute`: it runs, is recorded, and is the server's latest activity. */
const bigCellScenario = async (hub: TestHub, token: string, server: string, kernelId: string, tag: string, execute: (code: string) => Promise<{ status: string; output: string }>) => {
  const code = bigCode(tag);
  await sleep(100);
  const before = await lastActivity(hub, token, server);
  await sleep(100);
  const sent = Date.now();
  const result = await execute(code);
  expect(result).toEqual({ status: 'ok', output: `${2 * MiB} ${tag}\n` });
  // The proxy touched the server's activity when the request passed, before the reply came back.
  const after = await lastActivity(hub, token, server);
  expect(after).toBeGreaterThan(before);
  expect(after).toBeGreaterThanOrEqual(sent - 5);
  expectRecorded(await executionOf(hub, token, kernelId, code), code);
};

describe('JupyterLab 4 on jupyter_server 2', () => {
  let hub: TestHub;
  let alice: string;
  let lab: ReturnType<typeof labClient>;
  let kernel: Kernel.IKernelConnection;
  const server = 'lab';
  let path: string;

  beforeAll(async () => {
    hub = await startTestHub({ config: CONFIG });
    alice = hub.addUser('alice');
    path = await startServer(hub, alice, server);
    const api = (await (await hub.api(`${path}api`, { token: alice })).json()) as { version: string };
    expect(api.version).toMatch(/^2\./);
    lab = labClient(hub, path, alice);
    kernel = await lab.kernels.startNew({ name: 'python3' });
  });
  afterAll(async () => {
    lab?.dispose();
    await hub?.dispose();
  });

  it("JupyterLab's client negotiates v1 through the proxy (no compression), and its cells are recorded", async () => {
    const ws = await lab.connected(kernel);
    expect(ws.protocol).toBe(V1);
    // ws offers permessage-deflate, as browsers do; none is negotiated on a socket the proxy reads (the proxy drops
    // the offer, and jupyter_server accepts none unless websocket_compression_options is set).
    expect(ws.extensions).toBe('');
    const code = 'y = 6 * 7\nprint(y)';
    expect(await run(kernel, code, 'cell-v1')).toEqual({ status: 'ok', output: '42\n' });
    const e = await executionOf(hub, alice, kernel.id, code);
    expectRecorded(e, code);
    expect(e.cell_id).toBe('cell-v1');
    expect(e.execution_count).toEqual(expect.any(Number));
  });

  it('a v1 execute_request carrying binary buffers, and a comm message with buffers from the kernel, pass through; the cells are recorded', async () => {
    const sent = KernelMessage.createMessage({
      msgType: 'execute_request',
      channel: 'shell',
      session: kernel.clientId,
      username: kernel.username,
      content: { code: 'print("with buffers")', silent: false, store_history: true },
      buffers: [new Uint8Array([1, 2, 3, 4]), new Uint8Array(70_000).fill(7)],
    });
    const future = kernel.sendShellMessage(sent, true);
    let printed = '';
    future.onIOPub = (m) => {
      if (m.header.msg_type === 'stream') printed += String((m.content as { text: string }).text);
    };
    expect(((await future.done).content as { status: string }).status).toBe('ok');
    expect(printed).toBe('with buffers\n');
    expectRecorded(await executionOf(hub, alice, kernel.id, 'print("with buffers")'), 'print("with buffers")');

    // The kernel opens a comm to the client with 1 KiB of bytes (a v1 frame with a buffer, kernel to client).
    const got = new Promise<number[]>((resolve) =>
      kernel.registerCommTarget('nbhub-test', (_comm, msg) => resolve([...new Uint8Array((msg.buffers?.[0] as DataView).buffer, (msg.buffers?.[0] as DataView).byteOffset, (msg.buffers?.[0] as DataView).byteLength)])),
    );
    const code = 'from comm import create_comm\nc = create_comm(target_name="nbhub-test", data={"n": 1}, buffers=[bytes(range(256)) * 4])';
    expect((await run(kernel, code)).status).toBe('ok');
    const bytes = await got;
    expect(bytes).toHaveLength(1024);
    expect(bytes.slice(250, 260)).toEqual([250, 251, 252, 253, 254, 255, 0, 1, 2, 3]);
    expectRecorded(await executionOf(hub, alice, kernel.id, code), code);
  });

  it('a 2 MiB cell from JupyterLab (v1) is recorded with its sha256 and counts as activity', async () => {
    await bigCellScenario(hub, alice, server, kernel.id, 'v1', (code) => run(kernel, code));
  });

  it('a client of the JSON protocol on the same kernel: its cells, with buffers and of 2 MiB, are recorded too', async () => {
    const legacy = await legacyClient(hub, path, alice, kernel.id);
    try {
      expect(legacy.ws.protocol).toBe('');
      const code = 'z = 2 ** 10\nprint(z)';
      expect(await legacy.execute(code)).toEqual({ status: 'ok', output: '1024\n' });
      expectRecorded(await executionOf(hub, alice, kernel.id, code), code);
      const withBuffers = 'print("legacy buffers")';
      expect(await legacy.execute(withBuffers, [Buffer.from([9, 8, 7]), Buffer.alloc(100_000, 1)])).toEqual({ status: 'ok', output: 'legacy buffers\n' });
      expectRecorded(await executionOf(hub, alice, kernel.id, withBuffers), withBuffers);
      await bigCellScenario(hub, alice, server, kernel.id, 'json', (c) => legacy.execute(c));
    } finally {
      legacy.close();
    }
  });

  it("interrupts a v1 client's running cell through POST /hub/api/executions/{id}/interrupt", async () => {
    const code = 'import time\ntime.sleep(60)';
    const future = kernel.requestExecute({ code });
    let running: ExecutionItem | undefined;
    await expect.poll(async () => (running = (await listExecutions(hub, `kernel=${kernel.id}&status=running`, alice)).items[0])?.code, { timeout: 20_000 }).toBe(code);
    await sleep(300);
    expect((await hub.api(`/hub/api/executions/${running?.id}/interrupt`, { method: 'POST', token: alice })).status).toBe(204);
    const reply = await future.done;
    expect(reply.content).toMatchObject({ status: 'error', ename: 'KeyboardInterrupt' });
    await expect.poll(async () => ((await (await hub.api(`/hub/api/executions/${running?.id}`, { token: alice })).json()) as ExecutionItem).status).toBe('interrupted');
  });
});

describe("Debian's classic Notebook 6 (no v1 subprotocol)", () => {
  let hub: TestHub;
  let alice: string;
  let path: string;

  beforeAll(async () => {
    // The JupyterLab environment is not found: detection falls through to /usr/bin/jupyter-notebook.
    hub = await startTestHub({ config: CONFIG, env: { NBHUB_SPAWNER_JUPYTER_ENV: '/nonexistent' } });
    alice = hub.addUser('alice');
    path = await startServer(hub, alice, '');
    const api = (await (await hub.api(`${path}api`, { token: alice })).json()) as { version: string };
    expect(api.version).toMatch(/^6\./);
  });
  afterAll(async () => {
    await hub?.dispose();
  });

  it('a JSON-protocol client: its cell and a 2 MiB one are recorded; JupyterLab falls back to the same protocol and is recorded too', async () => {
    const lab = labClient(hub, path, alice);
    try {
      const kernel = await lab.kernels.startNew({ name: 'python3' });
      const legacy = await legacyClient(hub, path, alice, kernel.id);
      try {
        const code = 'print(sum(range(10)))';
        expect(await legacy.execute(code)).toEqual({ status: 'ok', output: '45\n' });
        expectRecorded(await executionOf(hub, alice, kernel.id, code), code);
        await bigCellScenario(hub, alice, '', kernel.id, 'nb6', (c) => legacy.execute(c));
      } finally {
        legacy.close();
      }
      // JupyterLab asked for v1; the ws package (unlike browsers) fails a handshake answered without it
      // ("Server sent no subprotocol", the same without the proxy), and JupyterLab reconnects asking for none.
      const ws = await lab.connected(kernel);
      expect(ws.protocol).toBe('');
      expect(await run(kernel, 'print("lab on nb6")')).toEqual({ status: 'ok', output: 'lab on nb6\n' });
      expectRecorded(await executionOf(hub, alice, kernel.id, 'print("lab on nb6")'), 'print("lab on nb6")');
      const all = await endedExecutions(hub, `kernel=${kernel.id}`, alice, 3);
      expect(all.map((e) => e.status)).toEqual(['ok', 'ok', 'ok']);
    } finally {
      lab.dispose();
    }
  });
});
