import { describe, expect, it } from 'vitest';
import { newServerRecord } from '../core/models.js';
import type { SpawnerHandle } from '../core/spawner.js';
import { toLaunchRecord } from './launch-record.js';
import { PortDirectory } from './ports.js';
import { RecordIndex } from './record-index.js';

const handle: SpawnerHandle = { v: 1, kind: 'fake' };
const running = (target: string) => ({
  ...newServerRecord('alice', 'lab', 0),
  state: 'running' as const,
  desired: 'running' as const,
  target,
  runtimeToken: 't',
  handle: toLaunchRecord({ handle, target, token: 't', readinessPath: '', startTimeoutSeconds: 1, startTimeoutKey: 'k' }),
});

const setup = (answer: (port: number) => string | null, target = 'http://127.0.0.1:40000') => {
  const index = new RecordIndex({ rootPid: () => null });
  index.remember(running(target));
  let now = 0;
  const asked: number[] = [];
  const ports = new PortDirectory(index, { portTarget: async (_h, port) => (asked.push(port), answer(port)) }, { now: () => now });
  return { ports, asked, index, advance: (ms: number) => (now += ms) };
};

describe('PortDirectory', () => {
  it('asks the spawner about a running server, and believes a yes for a few seconds', async () => {
    const { ports, asked, advance } = setup((p) => (p === 8050 ? 'http://127.0.0.1:8050' : null));
    expect(await ports.portTarget('alice', 'lab', 8050)).toBe('http://127.0.0.1:8050');
    expect(await ports.portTarget('alice', 'lab', 8050)).toBe('http://127.0.0.1:8050');
    expect(asked).toEqual([8050]);
    advance(5_001);
    await ports.portTarget('alice', 'lab', 8050);
    expect(asked).toEqual([8050, 8050]);
  });
  it('asks again after a no, and says no for a server that is not running or not there', async () => {
    const { ports, asked, index } = setup(() => null);
    expect(await ports.portTarget('alice', 'lab', 9)).toBeNull();
    expect(await ports.portTarget('alice', 'lab', 9)).toBeNull();
    expect(asked).toEqual([9, 9]);
    expect(await ports.portTarget('alice', 'other', 9)).toBeNull();
    index.remember({ ...running('http://127.0.0.1:40000'), state: 'stopped' });
    expect(await ports.portTarget('alice', 'lab', 9)).toBeNull();
    expect(asked).toEqual([9, 9]);
  });
  it("without the spawner's judgement, takes that port of the runtime's own host (a pod)", async () => {
    const index = new RecordIndex({ rootPid: () => null });
    index.remember(running('http://10.1.2.3:8888'));
    expect(await new PortDirectory(index, {}, { now: () => 0 }).portTarget('alice', 'lab', 8050)).toBe('http://10.1.2.3:8050');
  });
});
