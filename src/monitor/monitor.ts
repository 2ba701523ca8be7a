import type { Clock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import { heldForMs, renewEveryMs } from '../core/instances.js';
import type { AgentPresence } from '../core/agent-presence.js';
import type { AgentStats, EventBatch, EventSource } from '../core/events.js';
import type { Logger } from '../core/logger.js';
import { RESOLUTIONS, type AgentRecord, type EventBatchWrite, type PreparedBatch, type Resolution, type Store } from '../core/store.js';
import type { RuntimeSnapshot, SamplerStats, UsageSource } from '../core/usage.js';
import { LatestView } from './latest.js';
import { planLeases } from './leases.js';
import { backoffMs, StoreTrouble, type TroubleNote } from './store-trouble.js';
import { toWrite } from './to-store.js';

export interface MonitorSettings {
  intervalSeconds: number;
  /** How often each agent is asked for new events. */
  pullEveryMs: number;
  /** Events asked for per request (and stored per transaction). */
  batchSize: number;
  /** Agents pulled at the same time, at most. */
  concurrency: number;
  leaseMs: number;
  /** A request to an agent that takes longer has failed (the agent is unreachable). */
  timeoutMs: number;
  retentionDays: Record<Resolution, number>;
  eventsRetentionDays: number;
}

export interface MonitorOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  /** This hub instance, as leases name it. */
  instance: string;
  settings: MonitorSettings;
  /** Reaches a separate agent (over HTTP). */
  connect(rec: AgentRecord): EventSource;
  /** The in-process agent, which only this instance can read. */
  local?: { id: string; source: EventSource } | undefined;
  /** Which separate agents still exist (on Kubernetes, their pods); absent: all registered ones are pulled. */
  presence?: AgentPresence | undefined;
}

interface Pulled {
  id: string;
  source: EventSource;
  url: string | null;
  secret: string | null;
  /** The agent's offset stored last (by this instance). */
  after: number;
  busy: boolean;
  /** New events were announced while a pull ran: pull again when it ends. */
  again: boolean;
  reachable: boolean | null;
  failures: number;
  /** Batches the store refused in a row (a failing store, not a conflict): the next try waits longer. */
  storeFailures: number;
  nextTry: number;
  contactWritten: number;
  processesDue: number;
  stats: AgentStats | null;
}

const CONTACT_EVERY_MS = 10_000;
const MAX_BACKOFF_MS = 10_000;
/** A failing store is tried again after a wait that doubles up to this. */
const MAX_STORE_BACKOFF_MS = 30_000;
/** What StoreTrouble tells apart: the lease round's writes, and each agent's batches and contact. */
const LEASES = 'leases';
const eventsOf = (id: string) => `events of ${id}`;
const contactOf = (id: string) => `contact of ${id}`;
const PRUNE_EVERY_MS = 3_600_000;
const DAY_MS = 86_400_000;
/** Events read back from the store when an agent is taken over, to know its runtimes. */
const RECENT_EVENTS = 2_000;

/**
 * The monitor (DESIGN.md idea 7): holds leases on agents, pulls each one's events from the offset stored
 * last (in parallel, bounded), and stores each batch with the new offset in one transaction. An agent that
 * does not answer is unreachable, its runtimes' state unknown, and it is caught up when it answers again.
 * Keeps the latest sweep of the runtimes it follows, for /hub/metrics and the live views.
 */
export class Monitor implements UsageSource {
  private readonly pulled = new Map<string, Pulled>();
  private readonly view = new LatestView();
  private readonly trouble = new StoreTrouble();
  private timers: NodeJS.Timeout[] = [];
  private leasing: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private lanes = 0;
  private lastPrune = 0;
  private stopped = false;

  constructor(private readonly o: MonitorOptions) {
    // The in-process agent says when a sweep is logged: its events are stored at once, not at the next tick.
    const local = o.local;
    local?.source.watch?.(() => this.pullOne(local.id));
    // An agent pod gone, or a new one, is acted on at once rather than at the next lease round.
    o.presence?.onChange(() => void this.leaseTick());
  }

  /** Whether the agent registered at `url` is known to be gone (its pod deleted). */
  gone(url: string | null): boolean {
    return url !== null && (this.o.presence?.gone(url) ?? false);
  }

  async start(): Promise<void> {
    await this.leaseTick();
    const s = this.o.settings;
    this.timers.push(setInterval(() => void this.leaseTick(), renewEveryMs(s.leaseMs)).unref());
    this.timers.push(setInterval(() => this.pullTick(), s.pullEveryMs).unref());
    this.pullTick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.o.presence?.close();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.leasing;
    await Promise.all([...this.inFlight]);
    await Promise.all([...this.pulled.values()].map((p) => p.source.close()));
  }

  // ---- UsageSource ----

  latest(): RuntimeSnapshot[] {
    return this.view.latest();
  }

  latestOf(user: string, server: string): RuntimeSnapshot | undefined {
    return this.view.latestOf(user, server);
  }

  /** The in-process agent's own when there is one, else the agents this instance pulls, together. */
  get stats(): SamplerStats {
    const local = this.o.local ? this.pulled.get(this.o.local.id)?.stats : undefined;
    const all = local ? [local] : [...this.pulled.values()].flatMap((p) => (p.stats ? [p.stats] : []));
    const last = Math.max(...all.map((s) => s.lastSweep ?? 0));
    const duration = Math.max(...all.map((s) => s.lastSweepDurationMs ?? -1));
    return {
      intervalSeconds: this.o.settings.intervalSeconds,
      lastSweepSeconds: last > 0 ? last / 1000 : null,
      lastSweepDurationSeconds: duration >= 0 ? duration / 1000 : null,
      sweeps: all.reduce((n, s) => n + s.sweeps, 0),
      errors: all.reduce((n, s) => n + s.errors, 0),
    };
  }

  // ---- for the agents API ----

  /** Whether this instance pulls the agent, and what it knows of its runtimes. */
  pulling(id: string): { runtimes: ReturnType<LatestView['runtimesOf']>; stats: AgentStats | null } | undefined {
    const p = this.pulled.get(id);
    return p && { runtimes: this.view.runtimesOf(id), stats: p.stats };
  }

  /** The agent that reports a runtime, as far as this instance knows (the process door asks it first). */
  reporterOf(user: string, server: string): string | undefined {
    return this.view.agentOf(user, server);
  }

  /** Pulls every agent now (tests and benches; the timers do this on their own). */
  async pullNow(): Promise<void> {
    this.pullTick();
    // A pull already under way runs once more when it ends (`again`): that one is waited for too.
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  // ---- leases ----

  leaseTick(): Promise<void> {
    this.leasing ??= this.lease()
      .then(
        () => this.tell(this.trouble.ok(LEASES, this.o.clock.now())),
        (err: unknown) => this.tell(this.trouble.failed(LEASES, this.o.clock.now()), err, 'the lease round'),
      )
      .finally(() => (this.leasing = undefined));
    return this.leasing;
  }

  private async lease(): Promise<void> {
    if (this.stopped) return;
    const { store, instance: me } = this.o;
    const now = this.o.clock.now();
    const leaseMs = this.o.settings.leaseMs;
    const [records, live] = await Promise.all([store.agents.list(), store.instances.live(now - heldForMs(leaseMs))]);
    const local = this.o.local?.id ?? null;
    const plan = planLeases({
      me,
      now,
      local,
      live,
      agents: records.map((r) => ({ id: r.id, shared: r.url !== null, owner: r.leaseOwner, expires: r.leaseExpires, gone: this.gone(r.url) })),
    });
    const until = now + heldForMs(leaseMs);
    const held = new Set(await store.agents.renew(me, plan.renew, until));
    for (const id of plan.claim) if (await store.agents.claim(id, me, now, until)) held.add(id);
    await store.agents.release(me, plan.release);
    for (const id of [...this.pulled.keys()]) if (!held.has(id)) await this.forget(id);
    for (const rec of records) {
      if (!held.has(rec.id)) continue;
      const cur = this.pulled.get(rec.id);
      if (cur && cur.url === rec.url && cur.secret === rec.secret) continue;
      if (cur) await this.forget(rec.id);
      await this.adopt(rec);
    }
  }

  private async adopt(rec: AgentRecord): Promise<void> {
    const source = rec.id === this.o.local?.id ? this.o.local.source : rec.url ? this.o.connect(rec) : null;
    if (!source) return;
    const recent = await this.o.store.events.ofAgent(rec.id, Math.max(0, rec.storedOffset - RECENT_EVENTS), rec.storedOffset);
    this.view.apply(rec.id, recent.map((s) => s.event));
    this.pulled.set(rec.id, {
      id: rec.id,
      source,
      url: rec.url,
      secret: rec.secret,
      after: rec.storedOffset,
      busy: false,
      again: false,
      reachable: null,
      failures: 0,
      storeFailures: 0,
      nextTry: 0,
      contactWritten: 0,
      processesDue: 0,
      stats: null,
    });
    this.o.log.info({ agent: rec.id, offset: rec.storedOffset }, 'monitor: pulling agent');
  }

  private async forget(id: string): Promise<void> {
    const p = this.pulled.get(id);
    this.pulled.delete(id);
    this.view.drop(id);
    this.trouble.drop(eventsOf(id));
    this.trouble.drop(contactOf(id));
    if (p && p.source !== this.o.local?.source) await p.source.close();
    this.o.log.info({ agent: id }, 'monitor: no longer pulling agent');
  }

  // ---- pulls ----

  private pullTick(): void {
    if (this.stopped) return;
    this.maybePrune();
    const now = this.o.clock.now();
    for (const p of this.pulled.values()) {
      if (this.lanes >= this.o.settings.concurrency) break;
      if (!p.busy && now >= p.nextTry) this.run(p);
    }
  }

  private pullOne(id: string): void {
    const p = this.pulled.get(id);
    if (!p || this.stopped) return;
    // Waiting out a failing store: the next tick past the wait pulls it.
    if (this.o.clock.now() < p.nextTry) return;
    if (p.busy) p.again = true;
    else this.run(p);
  }

  private run(p: Pulled): void {
    p.busy = true;
    this.lanes++;
    const run = this.pull(p).finally(() => {
      p.busy = false;
      this.lanes--;
      this.inFlight.delete(run);
      if (p.again && !this.stopped) {
        p.again = false;
        this.run(p);
      }
    });
    this.inFlight.add(run);
  }

  /**
   * Pulls one agent until it is caught up. The next batch is asked for, parsed and made ready (its rows
   * encoded) while the current one is stored, so the hub's work overlaps the store's; batches are still
   * stored one after the other, in offset order. Each request acknowledges only what is stored, so the agent
   * trims nothing the hub could still lose.
   */
  private async pull(p: Pulled): Promise<void> {
    const { batchSize } = this.o.settings;
    const fetchFrom = (after: number) => {
      const f = p.source.fetch(after, batchSize, p.after).then((batch) => {
        // `now` is also the batch's stored_at: while catching up, this is up to one store earlier than its commit.
        const now = this.o.clock.now();
        const w = toWrite(p.id, this.o.instance, after, batch, now);
        return { batch, now, w, ready: w.events.length > 0 ? this.prepare(w) : null };
      });
      f.catch(() => undefined);
      return f;
    };
    let pending = fetchFrom(p.after);
    let newSweep = false;
    for (;;) {
      let next: Awaited<typeof pending>;
      try {
        next = await pending;
      } catch (err) {
        await this.unreachable(p, err);
        return;
      }
      const { batch, now, w, ready } = next;
      await this.reachable(p, batch, now);
      if (!ready) break;
      const more = w.through < batch.head;
      if (more && !(ready instanceof Error)) pending = fetchFrom(w.through);
      try {
        if (ready instanceof Error) throw ready;
        await this.o.store.events.store(ready);
      } catch (err) {
        await this.storeFailed(p, err);
        return;
      }
      p.after = w.through;
      p.contactWritten = now;
      p.storeFailures = 0;
      this.tell(this.trouble.ok(eventsOf(p.id), this.o.clock.now()));
      this.view.apply(p.id, w.events);
      newSweep ||= w.usage.length > 0;
      if (!more || this.stopped) break;
    }
    await this.refreshProcesses(p, newSweep);
  }

  /** A batch the store cannot encode is a failure to store it, not an agent that does not answer. */
  private prepare(w: EventBatchWrite): PreparedBatch | Error {
    try {
      return this.o.store.events.prepare(w);
    } catch (err) {
      return err instanceof Error ? err : new Error(String(err));
    }
  }

  private async reachable(p: Pulled, batch: EventBatch, now: number): Promise<void> {
    p.stats = batch.stats;
    const was = p.reachable;
    p.reachable = true;
    p.failures = 0;
    p.nextTry = 0;
    this.view.setReachable(p.id, true);
    if (was !== true) this.o.log.info({ agent: p.id }, 'monitor: agent answers');
    // Contact is written with every stored batch; while there is nothing new, now and then.
    if (was !== true || now - p.contactWritten >= CONTACT_EVERY_MS) {
      p.contactWritten = now;
      await this.o.store.agents
        .noteContact(p.id, this.o.instance, { at: now, error: null, headOffset: Math.max(batch.head, p.after), headTime: batch.headTime })
        .then(
          () => this.tell(this.trouble.ok(contactOf(p.id), this.o.clock.now())),
          (err: unknown) => this.tell(this.trouble.failed(contactOf(p.id), this.o.clock.now()), err, contactOf(p.id)),
        );
    }
  }

  private async unreachable(p: Pulled, err: unknown): Promise<void> {
    const now = this.o.clock.now();
    const was = p.reachable;
    p.reachable = false;
    p.failures++;
    p.nextTry = now + Math.min(MAX_BACKOFF_MS, this.o.settings.pullEveryMs * 2 ** Math.min(p.failures, 10));
    this.view.setReachable(p.id, false);
    const message = err instanceof Error ? err.message : String(err);
    if (was !== false) this.o.log.warn({ agent: p.id, err: message }, 'monitor: agent unreachable; its runtimes’ state is unknown until it answers');
    if (was !== false || now - p.contactWritten >= CONTACT_EVERY_MS) {
      p.contactWritten = now;
      await this.o.store.agents.noteContact(p.id, this.o.instance, { at: now, error: message.slice(0, 500) }).catch(() => undefined);
    }
  }

  private async storeFailed(p: Pulled, err: unknown): Promise<void> {
    if (!(err instanceof HubError && err.code === 'CONFLICT')) {
      const now = this.o.clock.now();
      p.storeFailures++;
      p.nextTry = now + backoffMs(p.storeFailures, this.o.settings.pullEveryMs, MAX_STORE_BACKOFF_MS);
      this.tell(this.trouble.failed(eventsOf(p.id), now), err, eventsOf(p.id));
      return;
    }
    // Someone else stored from this offset: the lease moved, or this instance is behind its own writes.
    const rec = await this.o.store.agents.get(p.id).catch(() => undefined);
    if (!rec || rec.leaseOwner !== this.o.instance) await this.forget(p.id);
    else p.after = rec.storedOffset;
  }

  /** Logs what StoreTrouble decided to say, if anything. */
  private tell(note: TroubleNote | null, err?: unknown, what?: string): void {
    if (!note) return;
    switch (note.say) {
      case 'failing':
        this.o.log.error({ err, what }, 'monitor: cannot write to the store; trying again with a growing wait (logged again at most once a minute)');
        return;
      case 'still':
        this.o.log.warn({ err, what, failures: note.failures, forSeconds: Math.round(note.forMs / 1000) }, 'monitor: the store still fails');
        return;
      case 'recovered':
        this.o.log.info({ failures: note.failures, forSeconds: Math.round(note.forMs / 1000) }, 'monitor: the store works again');
        return;
    }
  }

  /** The process lists go with the samples of the agent's latest sweep (asked again at least every interval). */
  private async refreshProcesses(p: Pulled, newSweep: boolean): Promise<void> {
    const now = this.o.clock.now();
    if (!newSweep && now < p.processesDue) return;
    p.processesDue = now + this.o.settings.intervalSeconds * 1000;
    try {
      this.view.processes(p.id, await p.source.processes());
    } catch (err) {
      this.o.log.debug({ err, agent: p.id }, 'monitor: no process lists from agent');
    }
  }

  private maybePrune(): void {
    const now = this.o.clock.now();
    if (now - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now;
    const d = this.o.settings.retentionDays;
    const cutoffs = Object.fromEntries(RESOLUTIONS.map((r) => [r, now - d[r] * DAY_MS])) as Record<Resolution, number>;
    const run = Promise.all([this.o.store.usage.prune(cutoffs), this.o.store.events.prune(now - this.o.settings.eventsRetentionDays * DAY_MS)])
      .then(() => undefined)
      .catch((err: unknown) => this.o.log.error({ err }, 'monitor: pruning failed'))
      .finally(() => this.inFlight.delete(run));
    this.inFlight.add(run);
  }
}
