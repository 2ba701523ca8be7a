import { describe, expect, it } from 'vitest';
import { planLeases, type LeaseView } from './leases.js';

const agent = (id: string, owner: string | null = null, expires: number | null = null, shared = true): LeaseView => ({ id, shared, owner, expires });
const NOW = 1_000;

describe('planLeases', () => {
  it('lets a lone instance take every shared agent, and keep its own in-process one', () => {
    const plan = planLeases({ me: 'a', now: NOW, live: ['a'], local: 'mine', agents: [agent('n1'), agent('n2'), agent('mine', null, null, false), agent('theirs', 'b', 5_000, false)] });
    expect(plan).toEqual({ claim: ['mine', 'n1', 'n2'], renew: [], release: [] });
  });
  it('splits agents between live instances, each taking its share', () => {
    const agents = ['n1', 'n2', 'n3', 'n4'].map((id) => agent(id));
    expect(planLeases({ me: 'a', now: NOW, live: ['a', 'b'], local: null, agents }).claim).toEqual(['n1', 'n2']);
    // b, after a took n1 and n2:
    const after = [agent('n1', 'a', 5_000), agent('n2', 'a', 5_000), agent('n3'), agent('n4')];
    expect(planLeases({ me: 'b', now: NOW, live: ['a', 'b'], local: null, agents: after })).toEqual({ claim: ['n3', 'n4'], renew: [], release: [] });
  });
  it('renews what it holds within its share and lets the rest go when another instance comes', () => {
    const held = ['n1', 'n2', 'n3', 'n4'].map((id) => agent(id, 'a', 5_000));
    expect(planLeases({ me: 'a', now: NOW, live: ['a'], local: null, agents: held })).toEqual({ claim: [], renew: ['n1', 'n2', 'n3', 'n4'], release: [] });
    expect(planLeases({ me: 'a', now: NOW, live: ['a', 'b'], local: null, agents: held })).toEqual({ claim: [], renew: ['n1', 'n2'], release: ['n3', 'n4'] });
  });
  it('takes over a dead instance’s agents once their leases lapse, never before', () => {
    const agents = [agent('n1', 'dead', 2_000), agent('n2', 'b', 9_000)];
    expect(planLeases({ me: 'b', now: 1_500, live: ['b'], local: null, agents }).claim).toEqual([]);
    expect(planLeases({ me: 'b', now: 2_000, live: ['b'], local: null, agents })).toEqual({ claim: ['n1'], renew: ['n2'], release: [] });
  });
  it('does not count an instance whose lease lapsed as live, so its share is taken at once', () => {
    const agents = [agent('n1', 'dead', 2_000), agent('n2', 'b', 9_000)];
    expect(planLeases({ me: 'b', now: 2_000, live: ['b', 'dead'], local: null, agents }).claim).toEqual(['n1']);
  });
  it('reclaims its own lapsed leases first after a restart', () => {
    const agents = [agent('n0'), agent('n1'), agent('n2', 'a', 500), agent('n3', 'b', 9_000)];
    expect(planLeases({ me: 'a', now: NOW, live: ['a', 'b'], local: null, agents }).claim).toEqual(['n2', 'n0']);
  });
  it('lets go of an agent whose pod is gone, never claims one, and does not count it in the shares', () => {
    const agents = [{ ...agent('n1', 'a', 5_000), gone: true }, { ...agent('n2'), gone: true }, agent('n3'), agent('n4')];
    expect(planLeases({ me: 'a', now: NOW, live: ['a', 'b'], local: null, agents })).toEqual({ claim: ['n3'], renew: [], release: ['n1'] });
  });
});
