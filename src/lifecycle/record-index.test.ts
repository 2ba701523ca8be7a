import { describe, expect, it } from 'vitest';
import { newServerRecord } from '../core/models.js';
import { keyOf, RecordIndex } from './record-index.js';

const KEY = keyOf('alice', 'lab');

describe('RecordIndex.waitFor', () => {
  it('ends a wait when its signal aborts (a progress stream whose client left), not at its timeout', async () => {
    const index = new RecordIndex({ rootPid: () => null });
    index.remember({ ...newServerRecord('alice', 'lab', 0), state: 'pending' });
    const ac = new AbortController();
    let settled = false;
    const wait = index.waitFor(KEY, (r) => r?.state === 'running', 3_600_000, ac.signal).then((r) => {
      settled = true;
      return r;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    ac.abort();
    expect((await wait)?.state).toBe('pending');
    // Aborted before it began: answers at once with what is there.
    expect((await index.waitFor(KEY, () => false, 3_600_000, ac.signal))?.name).toBe('lab');
  });

  it('still resolves once the predicate holds', async () => {
    const index = new RecordIndex({ rootPid: () => null });
    const rec = { ...newServerRecord('alice', 'lab', 0), state: 'pending' as const };
    index.remember(rec);
    const wait = index.waitFor(KEY, (r) => r?.state === 'running', 3_600_000, new AbortController().signal);
    index.remember({ ...rec, state: 'running' });
    index.changed(KEY);
    expect((await wait)?.state).toBe('running');
  });
});
