import { expect } from 'vitest';
import type { TestHub } from './hub.js';

/** A runtime that costs little: answers HTTP, burns ~5 % of a core; its workspace on the command line lets dispose() find it. */
export const TINY_PROFILE = `profiles:
  tiny:
    command: ["node", "-e", "require('http').createServer((q, s) => s.end('ok')).listen(+process.argv[1], '127.0.0.1'); setInterval(() => { const t = Date.now(); while (Date.now() - t < 5); }, 100)", "{port}", "{workspace}"]
    readiness_path: ""
`;

export interface ApiEvent {
  seq: number;
  time: string;
  type: string;
  agent: string;
  offset: number;
  user?: string;
  server?: string;
  kernel?: string;
  cpu_from?: number;
  cpu?: number;
  count?: number;
  through?: number;
}

export interface ApiAgent {
  id: string;
  state: string;
  owner: string | null;
  last_offset: number;
  head_offset: number;
  lag: { events: number; seconds: number };
  events_lost: number;
  last_contact: string | null;
}

export const agents = async (hub: TestHub, token: string): Promise<ApiAgent[]> => {
  const r = await hub.api('/hub/api/agents', { token });
  expect(r.status, await r.clone().text()).toBe(200);
  return ((await r.json()) as { agents: ApiAgent[] }).agents;
};

/** Every stored event, through GET /hub/api/events (as an external consumer pages through them). */
export const allEvents = async (hub: TestHub, token: string): Promise<ApiEvent[]> => {
  const out: ApiEvent[] = [];
  let after = 0;
  for (;;) {
    const r = await hub.api(`/hub/api/events?after=${after}&limit=10000`, { token });
    expect(r.status).toBe(200);
    const page = (await r.json()) as { events: ApiEvent[]; next_after: number };
    if (page.events.length === 0) return out;
    out.push(...page.events);
    after = page.next_after;
  }
};

/** Waits until the hub has stored an agent's events up to `head` and is in contact with it. */
export const caughtUp = async (hub: TestHub, token: string, agentId: string, head: number, timeout = 30_000): Promise<ApiAgent> => {
  let last: ApiAgent | undefined;
  await expect
    .poll(
      async () => {
        last = (await agents(hub, token)).find((a) => a.id === agentId);
        return last !== undefined && last.last_offset >= head && last.state === 'ok';
      },
      { timeout, interval: 250 },
    )
    .toBe(true);
  return last as ApiAgent;
};

/**
 * What "loses nothing, repeats nothing" means for one agent's stored events: offsets 1..N (N at least
 * `head`), each once, none lost; and each series' samples form one chain of its CPU counter (each sample continues the one
 * before: a repeated or missing sample would break it), with no gap in time longer than `maxGapMs` except
 * where the gap lies in one of `allowed` windows (when the agent itself was down).
 */
export const checkHistory = (events: ApiEvent[], agentId: string, head: number, o: { maxGapMs: number; allowed?: Array<[number, number]> }) => {
  const mine = events.filter((e) => e.agent === agentId).sort((a, b) => a.offset - b.offset);
  expect(mine.length).toBeGreaterThanOrEqual(head);
  expect(mine.map((e) => e.offset)).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
  expect(mine.filter((e) => e.type === 'lost')).toEqual([]);
  // Stored order (seq) follows each agent's offsets.
  const bySeq = [...mine].sort((a, b) => a.seq - b.seq);
  expect(bySeq.map((e) => e.offset)).toEqual(mine.map((e) => e.offset));
  const series = new Map<string, ApiEvent[]>();
  for (const e of mine) {
    if (e.type !== 'sample') continue;
    const key = `${e.user}/${e.server}/${e.kernel}`;
    series.set(key, [...(series.get(key) ?? []), e]);
  }
  const holes: Array<{ series: string; from: string; to: string }> = [];
  for (const [key, list] of series) {
    for (let i = 1; i < list.length; i++) {
      const a = list[i - 1] as ApiEvent;
      const b = list[i] as ApiEvent;
      expect(b.cpu_from, `${key}: sample ${b.offset} continues sample ${a.offset}`).toBe(a.cpu);
      const ta = Date.parse(a.time);
      const tb = Date.parse(b.time);
      const excused = (o.allowed ?? []).some(([from, to]) => ta <= to && tb >= from);
      if (tb - ta > o.maxGapMs && !excused) holes.push({ series: key, from: a.time, to: b.time });
    }
  }
  expect(holes).toEqual([]);
  const sampleList = [...series.values()].flat();
  return {
    stored: mine.length,
    samples: sampleList.length,
    lastSampleTime: Math.max(...sampleList.map((e) => Date.parse(e.time))),
    series: [...series.keys()],
  };
};
