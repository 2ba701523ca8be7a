import { describe, expect, it } from 'vitest';
import { memoryStore } from '../store/testing.js';
import { hubIdClash, hubIdentity } from './hub-id.js';

const ids = { random: () => 'r4nd0m', uuid: () => 'u' } as unknown as Parameters<typeof hubIdentity>[1];

describe('hub id', () => {
  it('is random once and kept; a configured one is used on the first start and must match afterwards', async () => {
    const a = await memoryStore();
    expect(await hubIdentity(a, ids)).toBe('r4nd0m');
    expect(await hubIdentity(a, ids)).toBe('r4nd0m');
    await expect(hubIdentity(a, ids, 'rel')).rejects.toThrow('hub_id: "rel" differs from this database\'s hub id "r4nd0m"');
    await a.close();
    const b = await memoryStore();
    expect(await hubIdentity(b, ids, 'rel')).toBe('rel');
    expect(await hubIdentity(b, ids, 'rel')).toBe('rel');
    expect(await hubIdentity(b, ids)).toBe('rel');
    await b.close();
    expect(hubIdClash(undefined, 'x')).toBeNull();
  });
});
