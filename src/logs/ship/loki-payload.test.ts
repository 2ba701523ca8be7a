import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../core/logs.js';
import { lokiPush, Stamper } from './loki-payload.js';

const line = (text: string, at: number, o: Partial<LogLine> = {}): LogLine => ({ at, stream: 'runtime', user: 'alice', server: '', profile: 'default', line: text, ...o });

describe('Loki push payload', () => {
  it('groups lines by label set, in order, with ns timestamps as strings, static labels and no empty label', () => {
    const lines = [line('a1', 1000), line('b1', 1000, { user: 'bob', stream: 'app:lab' }), line('a2', 1000), line('a3', 1001), line('h', 1002, { stream: 'hub', user: '', profile: '' })];
    const push = lokiPush(lines, { hubInstance: 'h1', labels: { cluster: 'x' }, stamper: new Stamper() });
    expect(push.streams).toEqual([
      { stream: { cluster: 'x', user: 'alice', profile: 'default', stream: 'runtime', hub_instance: 'h1' }, values: [['1000000000', 'a1'], ['1000000001', 'a2'], ['1001000000', 'a3']] },
      { stream: { cluster: 'x', user: 'bob', profile: 'default', stream: 'app:lab', hub_instance: 'h1' }, values: [['1000000000', 'b1']] },
      { stream: { cluster: 'x', stream: 'hub', hub_instance: 'h1' }, values: [['1002000000', 'h']] },
    ]);
    // The body Loki gets is JSON of exactly this.
    expect(JSON.parse(JSON.stringify(push))).toEqual(push);
  });
  it("keeps a cluster's processes apart: stream cluster:{name}, label process", () => {
    const c = { stream: 'cluster:etl' as const, user: '', profile: '' };
    const push = lokiPush([line('m', 1000, { ...c, process: 'master' }), line('w', 1000, { ...c, process: 'worker-1' })], { hubInstance: 'h1', labels: {}, stamper: new Stamper() });
    expect(push.streams.map((s) => s.stream)).toEqual([
      { stream: 'cluster:etl', process: 'master', hub_instance: 'h1' },
      { stream: 'cluster:etl', process: 'worker-1', hub_instance: 'h1' },
    ]);
  });
  it('keeps a stream in order across pushes and a clock that steps back', () => {
    const s = new Stamper();
    const stamps = [s.stamp('k', 5000), s.stamp('k', 5000), s.stamp('k', 4000), s.stamp('k', 5001), s.stamp('other', 10)];
    expect(stamps).toEqual(['5000000000', '5000000001', '5000000002', '5001000000', '10000000']);
    const ns = stamps.slice(0, 4).map(BigInt);
    for (let i = 1; i < ns.length; i++) expect(ns[i]! > ns[i - 1]!).toBe(true);
  });
});
