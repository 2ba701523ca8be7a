import { describe, expect, it } from 'vitest';
import { planOwnership, requestActor } from './ownership.js';

const recs = (...xs: Array<[string, string | null]>) => xs.map(([key, owner]) => ({ key, owner }));

describe('planOwnership', () => {
  it('alone on the store (SQLite), owns everything: records of another id are an earlier run of itself', () => {
    const plan = planOwnership({ me: 'h:2', shared: false, live: [], records: recs(['a', 'h:1'], ['b', null], ['c', 'h:2']) });
    expect(plan).toEqual({ act: ['c'], claim: ['a', 'b'], watch: [] });
  });

  it("acts on its own records and only watches a live instance's", () => {
    const plan = planOwnership({ me: 'a', shared: true, live: ['a', 'b'], records: recs(['x', 'a'], ['y', 'b'], ['z', 'b']) });
    expect(plan).toEqual({ act: ['x'], claim: [], watch: ['y', 'z'] });
  });

  it("claims a gone instance's records, once its heartbeat is older than the lease (it is not live)", () => {
    const plan = planOwnership({ me: 'b', shared: true, live: ['b'], records: recs(['x', 'a'], ['y', 'a'], ['z', 'b']) });
    expect(plan).toEqual({ act: ['z'], claim: ['x', 'y'], watch: [] });
  });

  it('splits orphans between the survivors: every orphan is claimed by exactly one of them', () => {
    const records = recs(...Array.from({ length: 200 }, (_, i): [string, string | null] => [`u${i}\u0000`, i % 3 === 0 ? null : 'dead']));
    const live = ['s1', 's2', 's3'];
    const plans = live.map((me) => planOwnership({ me, shared: true, live, records }));
    const claimed = plans.flatMap((p) => p.claim).sort();
    expect(claimed).toEqual(records.map((r) => r.key).sort());
    // Each survivor gets a share, not all of them.
    for (const p of plans) expect(p.claim.length).toBeGreaterThan(20);
  });

  it('counts itself live even before its own heartbeat is stored', () => {
    const plan = planOwnership({ me: 'b', shared: true, live: [], records: recs(['x', 'dead']) });
    expect(plan.claim).toEqual(['x']);
  });
});

describe('requestActor', () => {
  const live = new Set(['a', 'b']);
  it('carries out requests on new, own and ownerless records itself', () => {
    expect(requestActor(undefined, 'a', live)).toBe('self');
    expect(requestActor({ owner: 'a' }, 'a', live)).toBe('self');
    expect(requestActor({ owner: null }, 'a', live)).toBe('self');
  });
  it("leaves a live owner's record to that owner, and takes a gone owner's", () => {
    expect(requestActor({ owner: 'b' }, 'a', live)).toBe('owner');
    expect(requestActor({ owner: 'c' }, 'a', live)).toBe('self');
  });
});
