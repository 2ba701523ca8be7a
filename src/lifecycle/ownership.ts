/**
 * Who acts on which server when several hub instances share one store (issue 6). Every server record names
 * one owner, the instance that starts, polls, stops and culls it; the others only show it and write its
 * desired state. Pure: the lifecycle acts on these answers (claims through a conditional update).
 */

/** A record as ownership decisions see it. */
export interface OwnerView {
  key: string;
  owner: string | null;
}

export interface OwnershipPlan {
  /** This instance's own records: it reconciles and culls them. */
  act: string[];
  /** Records whose owner is gone (or that have none) that this instance should claim. */
  claim: string[];
  /** Another live instance's records (or an orphan another survivor is due to claim): shown, never acted on. */
  watch: string[];
}

/** A stable spread of keys over instances (FNV-1a), so survivors share a dead instance's records. */
const spread = (key: string, n: number): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
};

/**
 * `shared`: other instances may use the store (PostgreSQL). Alone (SQLite), an instance owns everything:
 * records of another id are an earlier run of itself. Shared, a live instance keeps its records; those of a
 * gone instance (its heartbeat older than the lease) and those nobody owns are split between the live ones
 * by a stable hash, so each is tried by one survivor (a claim is conditional anyway: two never both win).
 */
export const planOwnership = (o: { me: string; shared: boolean; live: readonly string[]; records: readonly OwnerView[] }): OwnershipPlan => {
  const plan: OwnershipPlan = { act: [], claim: [], watch: [] };
  const live = [...new Set([...o.live, o.me])].sort();
  const liveSet = new Set(live);
  for (const r of o.records) {
    if (r.owner === o.me) plan.act.push(r.key);
    else if (!o.shared) plan.claim.push(r.key);
    else if (r.owner !== null && liveSet.has(r.owner)) plan.watch.push(r.key);
    else (live[spread(r.key, live.length)] === o.me ? plan.claim : plan.watch).push(r.key);
  }
  return plan;
};

/**
 * Who carries out a request (start, stop, delete, a culler's verdict) on a record: this instance, when the
 * record is new, its own, nobody's, or its owner is gone (the request's conditional write claims it then);
 * otherwise its live owner, to which only the desired state is written.
 */
export const requestActor = (rec: { owner: string | null } | undefined, me: string, live: ReadonlySet<string>): 'self' | 'owner' =>
  !rec || rec.owner === null || rec.owner === me || !live.has(rec.owner) ? 'self' : 'owner';
