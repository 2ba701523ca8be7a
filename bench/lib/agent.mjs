// For bench/agent and bench/agent-backlog: a real `nbhub agent` process, the hub's id, stored events.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NBHUB_BIN } from './hub.mjs';
import { httpRequest } from './load.mjs';
import { freePort, sleep, spawnTracked, tail, tmpDir } from './proc.mjs';

/** The hub's id (what runtimes are marked with), learnt as an agent does: by registering (then forgotten). */
export const hubIdOf = async (hub) => {
  const r = await hub.api('POST', '/hub/api/agents', { id: 'bench-probe', url: 'http://127.0.0.1:9', secret: 'x'.repeat(32) }, { expect: [200] });
  await hub.api('DELETE', '/hub/api/agents/bench-probe', undefined, { expect: [204] });
  return JSON.parse(r.text).hub_id;
};

/** `nbhub agent` as its own process, with its data dir under the bench's temporary root. */
export const startAgent = async (hub, { name = 'agent', env = {} } = {}) => {
  const dataDir = tmpDir(name);
  const port = await freePort();
  const log = join(dataDir, 'agent.log');
  const launch = () =>
    spawnTracked(process.execPath, [NBHUB_BIN, 'agent', '--hub', hub.url, '--port', String(port), '--data-dir', dataDir], {
      log,
      env: { NBHUB_AGENT_TOKEN: hub.token, NBHUB_AGENT_LOG_LEVEL: 'warn', ...env },
    });
  let child = launch();
  const identity = () => JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8'));
  const url = `http://127.0.0.1:${port}`;
  const head = async () => {
    const r = await httpRequest('GET', `${url}/agent/v1/events?limit=0`, { headers: { authorization: `Bearer ${identity().secret}` } });
    return JSON.parse(r.text).head;
  };
  const up = async () => {
    for (let i = 0; i < 400; i++) {
      try {
        await head();
        return;
      } catch {
        await sleep(50);
      }
    }
    throw new Error(`agent did not come up\n${tail(log)}`);
  };
  await up();
  return {
    get pid() {
      return child.pid;
    },
    dataDir,
    identity,
    head,
    stop: async (signal = 'SIGTERM') => {
      try {
        process.kill(child.pid, signal);
      } catch {
        // gone
      }
      await child.exited;
    },
    restart: async () => {
      child = launch();
      await up();
    },
  };
};

/** The hub's view of one agent (GET /hub/api/agents). */
export const agentRecord = async (hub, id) => JSON.parse((await hub.api('GET', '/hub/api/agents', undefined, { expect: [200] })).text).agents.find((a) => a.id === id);

/** Every stored event after `after` (GET /hub/api/events, pages of 10,000). */
export const storedEvents = async (hub, after = 0) => {
  const out = [];
  for (;;) {
    const page = JSON.parse((await hub.api('GET', `/hub/api/events?after=${after}&limit=10000`, undefined, { expect: [200] })).text);
    if (page.events.length === 0) return out;
    for (const e of page.events) out.push(e);
    after = page.next_after;
  }
};

/**
 * The same checks as the test suite's: one agent's offsets 1..N each once and none lost, each series'
 * samples one unbroken chain of its CPU counter, and no gap in time longer than `maxGapMs`.
 * Returns { ok, problems, offsets, samples, series }.
 */
export const checkHistory = (events, agentId, { maxGapMs }) => {
  const mine = events.filter((e) => e.agent === agentId).sort((a, b) => a.offset - b.offset);
  const problems = [];
  mine.forEach((e, i) => {
    if (e.offset !== i + 1 && problems.length < 5) problems.push(`offset ${e.offset} at position ${i + 1}`);
  });
  const lost = mine.filter((e) => e.type === 'lost');
  if (lost.length) problems.push(`${lost.length} lost range(s)`);
  const series = new Map();
  for (const e of mine) if (e.type === 'sample') series.set(`${e.user}/${e.server}/${e.kernel}`, [...(series.get(`${e.user}/${e.server}/${e.kernel}`) ?? []), e]);
  let breaks = 0;
  let holes = 0;
  for (const list of series.values()) {
    for (let i = 1; i < list.length; i++) {
      if (list[i].cpu_from !== list[i - 1].cpu) breaks++;
      if (Date.parse(list[i].time) - Date.parse(list[i - 1].time) > maxGapMs) holes++;
    }
  }
  if (breaks) problems.push(`${breaks} broken counter chain link(s)`);
  if (holes) problems.push(`${holes} gap(s) over ${maxGapMs} ms`);
  return { ok: problems.length === 0, problems, offsets: mine.length, samples: [...series.values()].reduce((n, l) => n + l.length, 0), series: series.size };
};
