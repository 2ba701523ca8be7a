/** An agent as lease decisions see it. */
export interface LeaseView {
  id: string;
  /** Reachable by any instance (it has a URL); an in-process agent is only its own hub's. */
  shared: boolean;
  owner: string | null;
  expires: number | null;
  /** Known to be gone (its pod was deleted): never claimed, and let go by whoever holds it. */
  gone?: boolean;
}

export interface LeasePlan {
  claim: string[];
  renew: string[];
  release: string[];
}

/**
 * Which agents this instance should hold (DESIGN.md idea 7), decided from the store's view alone: each
 * live instance takes an equal share (rounded up) of the shared agents, so a new instance gets some and a
 * dead one's are taken over once their leases lapse. An instance over its share lets the extra go; its own
 * in-process agent it always keeps; a gone agent it lets go. Pure: the lease keeper acts on the plan.
 */
export const planLeases = (o: { me: string; now: number; agents: readonly LeaseView[]; live: readonly string[]; local: string | null }): LeasePlan => {
  const plan: LeasePlan = { claim: [], renew: [], release: [] };
  const valid = (a: LeaseView) => a.owner !== null && a.expires !== null && a.expires > o.now;
  const local = o.local === null ? undefined : o.agents.find((a) => a.id === o.local);
  if (local) (local.owner === o.me && valid(local) ? plan.renew : plan.claim).push(local.id);
  const shared = o.agents.filter((a) => a.shared && a.id !== o.local && !a.gone);
  plan.release.push(...o.agents.filter((a) => a.gone && a.owner === o.me && valid(a)).map((a) => a.id));
  // An instance that let a lease lapse is gone, whatever its last heartbeat says: its share is free now.
  const lapsed = new Set(o.agents.filter((a) => a.owner !== null && !valid(a)).map((a) => a.owner));
  const instances = new Set([...o.live.filter((i) => !lapsed.has(i)), o.me]).size;
  const share = Math.ceil(shared.length / instances);
  const mine = shared.filter((a) => a.owner === o.me && valid(a)).map((a) => a.id).sort();
  plan.renew.push(...mine.slice(0, share));
  plan.release.push(...mine.slice(share));
  // Lapsed leases of this instance first (it was restarted), then the others, in a stable order.
  const free = shared
    .filter((a) => !valid(a))
    .sort((a, b) => Number(b.owner === o.me) - Number(a.owner === o.me) || a.id.localeCompare(b.id))
    .map((a) => a.id);
  plan.claim.push(...free.slice(0, Math.max(0, share - Math.min(mine.length, share))));
  return plan;
};
