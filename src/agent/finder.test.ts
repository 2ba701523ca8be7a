import { describe, expect, it } from 'vitest';
import type { ProcStat } from '../procfs/proc.js';
import { RuntimeFinder } from './finder.js';

const proc = (pid: number, ppid: number, startTime: number): ProcStat => ({
  pid, ppid, pgrp: pid, state: 'S', startTime, cpuSeconds: 0, childCpuSeconds: 0, rssBytes: 0,
});
const marker = (runtime: string, extra = '') => `HOME=/x\0NBHUB_RUNTIME=${runtime}\0NBHUB_HUB=h1${extra}`;

describe('RuntimeFinder', () => {
  it("takes the oldest marked root as the runtime and counts the other roots (its named apps) beside it", () => {
    const environ: Record<number, string> = {
      1: 'HOME=/',
      // The hub started the runtime (with its API in the marker), then an app of it, then a kernel under the runtime.
      100: marker('ann/', '\0NBHUB_PORT=4000\0NBHUB_BASE_URL=/user/ann/\0NBHUB_TOKEN=t'),
      200: marker('ann/', '\0NBHUB_APP=board'),
      101: marker('ann/'),
      300: marker('bob/x'),
      400: `HOME=/\0NBHUB_RUNTIME=ann/\0NBHUB_HUB=other-hub`,
    };
    const finder = new RuntimeFinder({ environ: (pid) => environ[pid], startedAt: (st) => st.startTime });
    const table = [proc(1, 0, 1), proc(50, 1, 5), proc(200, 50, 30), proc(100, 50, 20), proc(101, 100, 25), proc(300, 50, 40), proc(400, 1, 10)];
    const found = finder.find(table, { hubId: 'h1', match: null, known: [] });
    const ann = found.find((f) => f.user === 'ann');
    expect(ann).toMatchObject({ rootPid: 100, others: [200], api: { target: 'http://127.0.0.1:4000', baseUrl: '/user/ann/', token: 't' } });
    expect(found.find((f) => f.user === 'bob')).toMatchObject({ server: 'x', rootPid: 300, others: [] });
  });
});
