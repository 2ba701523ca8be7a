// bench/culling: is every server stopped inside its window? 24 real Jupyter servers with mixed behaviour
// (idle, saving files, silent CPU-bound and sleeping cells, short cells, a polling client with a kernel
// connected, a CPU-bound background process, a cell waiting on input()), culled with timeout 20 s, judged
// every 5 s, activity gathered every 2 s. Each behaviour's true last activity is taken at the client: when
// it sent its last request, or when its last cell answered (a background process: when it ended).
// The stop is timed when it was decided (nbhub.stop_requested_at); stopped_at comes after the runtime's
// grace period (5 s), and is shown apart. Too early: decided before last activity + timeout (minus 0.5 s for
// the client's own timing); too late: decided after last activity + timeout + 10 s (two check periods), or
// never. Target: 0 too early and 0 too late.
import { randomUUID } from 'node:crypto';
import { startHub } from './lib/hub.mjs';
import { httpRequest, openWs } from './lib/load.mjs';
import { runBench, sleep } from './lib/proc.mjs';
import { banner, table, target } from './lib/report.mjs';

const TIMEOUT_S = 20;
const EVERY_S = 5;
const INTERVAL_S = 2;
const LATE_S = 2 * EVERY_S;
const CLIENT_SLACK_S = 0.5;
const BATCH = Number(process.env['BENCH_CULLING_BATCH'] ?? 4);

// How many servers do what. CPU burners run under nice 19 so the hub and the runtimes keep their share of 2 cores.
const MIX = [
  ['idle', 5, 'one file saved, then nothing'],
  ['saves', 3, 'a file saved every 8 s for 40 s'],
  ['sleep', 3, 'one cell sleeping 40 s (busy kernel, no CPU)'],
  ['cpu', 2, 'one silent CPU-bound cell of 40 s'],
  ['short', 3, 'five 1.5 s cells, one every 6 s'],
  ['poll', 3, 'a kernel connected and GETs every 2 s (kernels, sessions, contents, status) until stopped'],
  ['bgcpu', 2, 'a cell starting a 35 s CPU-bound process, then returning'],
  ['input', 3, 'a cell waiting on input(), answered after 15 s'],
];

/** A kernel over the proxy's WebSocket: execute with optional input() answers. */
const kernel = async (hub, user, id) => {
  const session = randomUUID();
  const ws = await openWs(`${hub.url.replace(/^http/, 'ws')}/user/${user}/api/kernels/${id}/channels?session_id=${session}`, hub.auth);
  const waiting = new Map();
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    waiting.get(m.parent_header?.msg_id)?.(m);
  });
  const send = (msgType, content, channel = 'shell', parent = {}) => {
    const msgId = randomUUID();
    ws.send(JSON.stringify({ header: { msg_id: msgId, username: user, session, date: new Date().toISOString(), msg_type: msgType, version: '5.3' }, parent_header: parent, metadata: {}, content, channel, buffers: [] }));
    return msgId;
  };
  const execute = (code, { answerAfterMs } = {}) =>
    new Promise((resolve) => {
      let replied = false;
      let idle = false;
      let out = '';
      const id = send('execute_request', { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: answerAfterMs !== undefined, stop_on_error: true });
      waiting.set(id, (m) => {
        if (m.msg_type === 'input_request') setTimeout(() => send('input_reply', { value: 'ok' }, 'stdin', m.header), answerAfterMs);
        if (m.msg_type === 'stream') out += m.content.text;
        if (m.msg_type === 'execute_reply') replied = true;
        if (m.msg_type === 'status' && m.content.execution_state === 'idle') idle = true;
        if (replied && idle) {
          waiting.delete(id);
          resolve({ at: Date.now(), out });
        }
      });
    });
  // An open notebook asks for kernel_info when it connects; that is not activity.
  const info = () =>
    new Promise((resolve) => {
      const id = send('kernel_info_request', {});
      waiting.set(id, (m) => m.msg_type === 'kernel_info_reply' && resolve());
    });
  await info();
  return { execute, close: () => ws.terminate() };
};

const behaviours = {
  async idle(c) {
    return c.save();
  },
  async saves(c) {
    let last = await c.save();
    for (let i = 0; i < 5; i++) {
      await sleep(8000);
      last = await c.save();
    }
    return last;
  },
  async sleep(c) {
    const k = await c.kernel();
    return (await k.execute('import time\ntime.sleep(40)')).at;
  },
  async cpu(c) {
    const k = await c.kernel();
    return (await k.execute('import os, time\nos.nice(19)\nt = time.time()\nwhile time.time() - t < 40: pass')).at;
  },
  async short(c) {
    const k = await c.kernel();
    let last;
    for (let i = 0; i < 5; i++) {
      last = (await k.execute('import time\ntime.sleep(1.5)')).at;
      await sleep(4500);
    }
    return last;
  },
  async poll(c) {
    const k = await c.kernel();
    // Opening the notebook ends when its kernel has started and answered the tab (kernel_info).
    const last = Date.now();
    c.polling = (async () => {
      while (!c.stopped) {
        for (const p of ['api/kernels', 'api/sessions', 'api/contents', 'api/status']) await httpRequest('GET', `${c.hub.url}/user/${c.user}/${p}`, { headers: c.hub.auth }).catch(() => undefined);
        await sleep(2000);
      }
      k.close();
    })();
    return last;
  },
  async bgcpu(c) {
    const k = await c.kernel();
    const r = await k.execute('import subprocess, time\nsubprocess.Popen(["nice", "-n", "19", "timeout", "35", "python3", "-c", "while True: pass"])\nprint(time.time())');
    // The process ends 35 s after it started (timeout(1)); that is its last activity.
    return Math.max(r.at, Math.round(Number(r.out.trim()) * 1000) + 35_000);
  },
  async input(c) {
    const k = await c.kernel();
    return (await k.execute('x = input()', { answerAfterMs: 15_000 })).at;
  },
};

runBench(async () => {
  banner(
    'bench/culling',
    `${MIX.reduce((n, [, k]) => n + k, 0)} servers of the default profile (the Jupyter nbhub detects: JupyterLab 4 by default, with ipykernel), culling.idle_timeout_seconds ${TIMEOUT_S}, ` +
      `culling.every_seconds ${EVERY_S}, monitoring.interval_seconds ${INTERVAL_S}; servers started ${BATCH} at a time, each behaviour from its server's readiness. Mix: ` +
      MIX.map(([name, n, what]) => `${n} × ${name} (${what})`).join('; ') +
      '.',
  );
  const hub = await startHub({
    name: 'culling',
    config: { monitoring: { interval_seconds: INTERVAL_S }, culling: { idle_timeout_seconds: TIMEOUT_S, every_seconds: EVERY_S, warn_seconds: 10 } },
  });
  const runs = MIX.flatMap(([name, n]) => Array.from({ length: n }, (_, i) => ({ behaviour: name, user: `${name}${i + 1}` })));
  await hub.api('POST', '/hub/api/users', { usernames: runs.map((r) => r.user) }, { expect: [201] });

  const client = (r) => {
    const c = {
      hub,
      user: r.user,
      stopped: false,
      lastSent: 0,
      save: async () => {
        const at = Date.now();
        c.lastSent = at;
        await hub.api('PUT', `/user/${r.user}/api/contents/notes.txt`, { type: 'file', format: 'text', content: String(at) }, { expect: [200, 201] });
        return at;
      },
      kernel: async () => {
        await c.save();
        c.lastSent = Date.now();
        const k = await hub.api('POST', `/user/${r.user}/api/kernels`, { name: 'python3' }, { expect: [201] });
        return kernel(hub, r.user, JSON.parse(k.text).id);
      },
    };
    return c;
  };
  const behaving = [];
  for (let i = 0; i < runs.length; i += BATCH) {
    const batch = runs.slice(i, i + BATCH);
    await Promise.all(batch.map((r) => hub.startServer(r.user)));
    // Each behaviour starts as soon as its server is up; the next batch starts meanwhile.
    for (const r of batch) {
      r.client = client(r);
      behaving.push(
        behaviours[r.behaviour](r.client).then(
          (truth) => (r.truth = truth),
          (err) => (r.error = String(err?.message ?? err)),
        ),
      );
    }
  }
  console.log(`${runs.length} servers started; behaviours running`);
  await Promise.all(behaving);
  console.log('behaviours done; watching until every server stopped');

  // Watch until every server stopped, or long after its window closed.
  const deadline = Math.max(...runs.map((r) => r.truth ?? 0)) + (TIMEOUT_S + LATE_S + 20) * 1000;
  for (;;) {
    const users = JSON.parse((await hub.api('GET', '/hub/api/users?include_stopped_servers=1&limit=200')).text);
    for (const u of users) {
      const r = runs.find((x) => x.user === u.name);
      const s = u.servers[''];
      if (r && s && (s.nbhub.state === 'stopped' || s.nbhub.state === 'failed') && r.stoppedAt === undefined) {
        r.stoppedAt = Date.parse(s.nbhub.stop_requested_at ?? s.nbhub.stopped_at ?? new Date().toISOString());
        r.graceS = s.nbhub.stopped_at && s.nbhub.stop_requested_at ? (Date.parse(s.nbhub.stopped_at) - Date.parse(s.nbhub.stop_requested_at)) / 1000 : undefined;
        r.reason = s.nbhub.stop_reason;
        r.client.stopped = true;
      }
    }
    if (runs.every((r) => r.stoppedAt !== undefined) || Date.now() > deadline) break;
    await sleep(1000);
  }
  for (const r of runs) r.client.stopped = true;
  await Promise.all(runs.map((r) => r.client.polling));

  const rows = [['behaviour', 'servers', 'stop decided after last activity (s, min–max)', 'then stopped within (s, max)', 'too early', 'too late', 'reasons']];
  let early = 0;
  let late = 0;
  for (const [name] of MIX) {
    const group = runs.filter((r) => r.behaviour === name);
    const after = group.filter((r) => r.stoppedAt !== undefined && r.truth !== undefined).map((r) => (r.stoppedAt - r.truth) / 1000);
    const e = group.filter((r) => r.error || (r.stoppedAt !== undefined && (r.truth === undefined || r.stoppedAt < r.truth + (TIMEOUT_S - CLIENT_SLACK_S) * 1000))).length;
    const l = group.filter((r) => r.stoppedAt === undefined || (r.truth !== undefined && r.stoppedAt > r.truth + (TIMEOUT_S + LATE_S) * 1000)).length;
    early += e;
    late += l;
    const reasons = [...new Set(group.map((r) => r.reason ?? 'running'))].join(',');
    const grace = group.flatMap((r) => (r.graceS === undefined ? [] : [r.graceS]));
    rows.push([name, group.length, after.length ? `${Math.min(...after).toFixed(1)}–${Math.max(...after).toFixed(1)}` : '-', grace.length ? Math.max(...grace).toFixed(1) : '-', e, l, reasons]);
  }
  table(rows);
  for (const r of runs.filter((x) => x.error)) console.log(`  ${r.user}: behaviour failed (${r.error}); counted as too early`);
  console.log(`\nservers ${runs.length}: stopped too early ${early}, stopped too late ${late} (window: stop decided ${TIMEOUT_S}–${TIMEOUT_S + LATE_S} s after the last activity)`);
  target('culling', `servers stopped too early / too late (of ${runs.length})`, `${early} / ${late}`, '0 / 0', early === 0 && late === 0);
  await hub.stop();
});
