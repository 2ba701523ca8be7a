import type { Clock } from '../core/clock.js';
import { heldForMs } from '../core/instances.js';
import type { Logger } from '../core/logger.js';
import type { ServerRecord } from '../core/models.js';
import type { Store } from '../core/store.js';
import { later, type ActivityBook } from './activity.js';
import { planOwnership, requestActor } from './ownership.js';
import { keyOf, type RecordIndex } from './record-index.js';
import type { KeyedSerial } from './serial.js';

/** Every record is listed at least this often (shared): the backstop of the reads of changes (see sync). */
const FULL_LISTING_EVERY_MS = 300_000;

/** What the sharing needs from the reconciler that acts on the records. */
export interface SharingHost {
  /** A reconcile pass on the server (fire and forget). */
  kick(key: string): void;
  /** The record was deleted through another instance: a removal planned here is moot. */
  deleted(key: string): void;
  /** Another instance took the record over: a readiness wait started here is no longer this one's. */
  lost(key: string): void;
}

export interface SharingOptions {
  store: Store;
  clock: Clock;
  log: Logger;
  me: string;
  /** Absent: this instance is alone on the store and owns every record (LifecycleOptions.shared). */
  shared: { leaseMs: number } | undefined;
  index: RecordIndex;
  activity: ActivityBook;
  serial: KeyedSerial;
  host: SharingHost;
}

/**
 * Several instances on one store (issue 6): keeps the records in memory in step with the store and with the
 * other instances. Each record has one owner, the only instance that reconciles and culls it (ownership.ts
 * decides who). The others take in the records changed since their last look every poll (and on the store's
 * change notices), so their API and proxy see what the owner does. The hub's heartbeats (hub/heartbeat.ts)
 * say which instances are alive; the records of an instance gone for a lease are claimed by a survivor and
 * adopted like after a restart.
 */
export class Sharing {
  /** Instances seen alive at the last look (this one included). */
  private live: Set<string>;
  private syncing: Promise<void> | undefined;
  private unwatch: (() => Promise<void>) | undefined;
  /** Shared: where the next reading of changes starts, and when every record was last listed. */
  private mark: number | undefined;
  private listedAt = 0;

  constructor(private readonly o: SharingOptions) {
    this.live = new Set([o.me]);
  }

  /** Loads every record at start-up: this instance's own are adopted, the others' shown until claimed. */
  async load(startedAt: number): Promise<void> {
    const own: ServerRecord[] = [];
    for (const rec of await this.listAll(startedAt)) {
      if (rec.owner === this.o.me) own.push(rec);
      else this.o.index.remember(rec);
    }
    for (const rec of own) this.adopted(rec, startedAt);
    // Alone, every record is claimed here; shared, those of gone instances (the rest stay their owners').
    await this.claimOrphans(startedAt);
  }

  /** Shared: the store's change notices. */
  async follow(): Promise<void> {
    if (!this.o.shared) return;
    // Changes announced by the store are taken in at once; the reload each poll stays the safety net.
    this.unwatch = await this.o.store.servers.watch?.((c) => this.changed(c)).catch((err: unknown) => {
      this.o.log.warn({ err }, 'lifecycle: cannot follow server changes as they happen; other instances\' changes are seen at each poll');
      return undefined;
    });
  }

  async stop(): Promise<void> {
    await this.unwatch?.();
    this.unwatch = undefined;
  }

  /** The owner a request writes: this instance, unless another live one owns the record (ownership.ts). */
  actorOf(rec: ServerRecord | undefined): string | null {
    return requestActor(rec, this.o.me, this.live) === 'self' ? this.o.me : (rec?.owner ?? null);
  }

  /**
   * Each poll, before `then` (the poll's passes): alone, a record another run left unclaimed is claimed;
   * shared, a fresh look at the store. `then` runs at once when the store has nothing to tell.
   */
  refresh(then: () => void): void {
    if (!this.o.shared) {
      // Alone, every record was claimed at start-up; one another run left unclaimed is claimed now.
      if (this.o.index.all().some((r) => r.owner !== this.o.me)) {
        void this.claimOrphans(this.o.clock.now())
          .catch((err: unknown) => this.o.log.error({ err }, 'lifecycle: cannot claim the server records'))
          .finally(then);
        return;
      }
      return then();
    }
    this.syncing ??= this.sync()
      .catch((err: unknown) => this.o.log.error({ err }, 'lifecycle: cannot reload the server records'))
      .finally(() => {
        this.syncing = undefined;
        then();
      });
  }

  /** Takes the stored record into memory (after a lost compare and set: what won). */
  async reload(user: string, name: string): Promise<void> {
    this.merge(keyOf(user, name), await this.o.store.servers.get(user, name));
  }

  /**
   * A record this instance now acts on (at start-up, or taken over from a gone instance). It saw nothing of
   * the runtime meanwhile, so that time is not idleness: a running runtime's last activity is at least now,
   * which grants it one whole idle timeout from the adoption.
   */
  private adopted(rec: ServerRecord, at: number): void {
    this.o.index.remember(rec.state === 'running' ? { ...rec, lastActivity: Math.max(rec.lastActivity ?? 0, at) } : rec);
    if (rec.state === 'running') this.o.activity.ahead(keyOf(rec.user, rec.name));
  }

  /** Another instance stored a new version of a record (or deleted it): reload it, and act on it if it is this one's. */
  private changed(c: { user: string; name: string; version: number | null }): void {
    const key = keyOf(c.user, c.name);
    const seen = () => {
      const cur = this.o.index.at(key);
      // Version 1 under a later one in memory: the record was created again, not an old notice.
      return c.version === null ? !cur : cur !== undefined && cur.version >= c.version && !(c.version === 1 && cur.version > 1);
    };
    if (seen()) return;
    this.o.serial
      .run(key, async () => {
        // Its own writes are announced too; by now they are in memory.
        if (seen()) return false;
        this.merge(key, await this.o.store.servers.get(c.user, c.name));
        return true;
      })
      .then((reloaded) => {
        if (reloaded && this.o.index.at(key)?.owner === this.o.me) this.o.host.kick(key);
      })
      .catch((err: unknown) => this.o.log.error({ err, key }, 'lifecycle: cannot reload a server record'));
  }

  /**
   * Takes in what other instances wrote, so this instance's API and proxy follow what the owners do: a record
   * another instance created appears, one it deleted disappears, a newer version (a write elsewhere) replaces
   * the one in memory. Versions only grow, so a read older than a write made here meanwhile changes nothing.
   * Activity only moves forward, whoever saw it. Then the records of gone instances are claimed.
   *
   * Each poll reads only the records changed since the last look (thousands of servers are not listed by
   * every instance every poll); the store's mark makes that exact, late commits and deletions included.
   * Every record is still listed every few minutes, as the backstop for what the stamps cannot tell: a
   * tombstone pruned while this instance was stalled, rows restored or written with the triggers off.
   */
  private async sync(): Promise<void> {
    const now = this.o.clock.now();
    if (this.mark === undefined || now - this.listedAt >= FULL_LISTING_EVERY_MS) {
      const stored = await this.listAll(now);
      const listed = new Set<string>();
      for (const s of stored) {
        const key = keyOf(s.user, s.name);
        listed.add(key);
        this.merge(key, s);
      }
      for (const [key, rec] of this.o.index.entries()) if (!listed.has(key)) this.recheck(key, rec);
    } else {
      const c = await this.o.store.servers.changes(this.mark);
      for (const s of c.records) this.merge(keyOf(s.user, s.name), s);
      for (const d of c.deleted) {
        const rec = this.o.index.at(keyOf(d.user, d.name));
        if (rec) this.recheck(keyOf(d.user, d.name), rec);
      }
      this.mark = c.next;
    }
    await this.claimOrphans(now);
  }

  /** Every record; shared, the mark taken first, so what is written during the listing is read again next time. */
  private async listAll(now: number): Promise<ServerRecord[]> {
    if (!this.o.shared) return this.o.store.servers.listAll();
    const mark = await this.o.store.servers.changeMark();
    const stored = await this.o.store.servers.listAll();
    this.mark = mark;
    this.listedAt = now;
    return stored;
  }

  /** A record the store says is gone; maybe created here after that was read: ask again, under the server's lock. */
  private recheck(key: string, rec: ServerRecord): void {
    void this.o.serial
      .run(key, async () => this.merge(key, await this.o.store.servers.get(rec.user, rec.name)))
      .catch((err: unknown) => this.o.log.error({ err, key }, 'lifecycle: cannot reload a server record'));
  }

  /** Takes the stored record (undefined: deleted) into memory if it is newer than the one there. */
  private merge(key: string, s: ServerRecord | undefined): void {
    const cur = this.o.index.at(key);
    if (!s) {
      if (!cur) return;
      this.o.index.forget(key);
      this.o.host.deleted(key);
      this.o.index.changed(key);
      return;
    }
    // A record deleted and created again (between two looks) starts its versions over: another incarnation,
    // told apart by its creation time, replaces the one in memory whatever their versions.
    if (cur && s.version <= cur.version && s.created === cur.created) {
      if (s.version === cur.version && (s.lastActivity ?? 0) > (cur.lastActivity ?? 0)) cur.lastActivity = s.lastActivity;
      return;
    }
    const lastActivity = later(s.lastActivity, cur?.lastActivity);
    if (cur && (cur.lastActivity ?? 0) > (s.lastActivity ?? 0)) this.o.activity.ahead(key);
    // Taken over by another instance (this one was thought gone): its readiness waiter is no longer ours.
    if (cur?.owner === this.o.me && s.owner !== this.o.me) this.o.host.lost(key);
    this.o.index.remember({ ...s, lastActivity });
    this.o.index.changed(key);
  }

  /** Claims what planOwnership says (a conditional update: of two claimers one wins), then adopts it. */
  private async claimOrphans(now: number): Promise<void> {
    const shared = this.o.shared;
    if (shared) {
      const live = await this.o.store.instances.live(now - heldForMs(shared.leaseMs));
      this.live = new Set([...live, this.o.me]);
    }
    const plan = planOwnership({
      me: this.o.me,
      shared: shared !== undefined,
      live: [...this.live],
      records: this.o.index.entries().map(([key, r]) => ({ key, owner: r.owner })),
    });
    for (const key of plan.claim) {
      await this.o.serial.run(key, async () => {
        const rec = this.o.index.at(key);
        if (!rec || rec.owner === this.o.me) return;
        if (!(await this.o.store.servers.claim(rec.user, rec.name, { from: rec.owner, version: rec.version, to: this.o.me }))) return;
        if (rec.owner !== null || shared) this.o.log.info({ user: rec.user, server: rec.name, from: rec.owner, state: rec.state }, 'lifecycle: took over a server');
        this.adopted({ ...rec, owner: this.o.me, version: rec.version + 1 }, now);
        this.o.index.changed(key);
      });
    }
  }
}
