import type { Clock } from '../core/clock.js';
import { conflict } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { ServerLogs } from '../core/logs.js';
import type { ServerRecord } from '../core/models.js';
import type { Spawner } from '../core/spawner.js';
import type { Store } from '../core/store.js';
import { later, type ActivityBook } from './activity.js';
import { historyEvent } from './history.js';
import { describeServer } from '../core/names.js';
import { keyOf, type RecordIndex } from './record-index.js';

export interface RecordWriterOptions {
  store: Store;
  spawner: Pick<Spawner, 'removeWorkspace'>;
  /** A deleted server's logs are deleted with its workspace. */
  logs?: Pick<ServerLogs, 'removeServer'> | undefined;
  clock: Clock;
  log: Logger;
  index: RecordIndex;
  activity: ActivityBook;
  /**
   * A write lost its compare and set (the stored record moved on meanwhile): take in what won before the
   * request is refused, so a retry starts from it (the reconciler reloads it, and acts on it if it is its own).
   */
  conflicted(user: string, name: string): Promise<void>;
}

/**
 * The one writer of server records, for requests and reconciler alike: each change goes to the store, its
 * history event after it, and then into memory, where `waitFor` callers are woken.
 */
export class RecordWriter {
  /** Users whose deletion is under way here: their servers' workspaces go for that reason (removeWorkspace's `why`). */
  private readonly deletingUsers = new Set<string>();

  constructor(private readonly o: RecordWriterOptions) {}

  /** Marks `user`'s deletion while `work` runs, so the removals it causes say why. */
  async deletingUser<T>(user: string, work: () => Promise<T>): Promise<T> {
    this.deletingUsers.add(user);
    try {
      return await work();
    } finally {
      this.deletingUsers.delete(user);
    }
  }

  /**
   * Stores a change made from `rec` (compare and set on its version) and keeps it in memory. Throws CONFLICT,
   * writing nothing, when the stored record moved on meanwhile (written through another instance, or taken
   * over); the record in memory is then reloaded, so a retry starts from the current one.
   */
  async save(rec: ServerRecord): Promise<ServerRecord> {
    const key = keyOf(rec.user, rec.name);
    const prev = this.o.index.at(key);
    const next: ServerRecord = { ...rec, version: rec.version + 1, lastActivity: later(rec.lastActivity, prev?.lastActivity) };
    if (!(await this.o.store.servers.write(next))) {
      await this.o.conflicted(rec.user, rec.name);
      throw conflict(`${describeServer(rec.user, rec.name)} was changed meanwhile (through another hub instance); nothing was done, please try again`);
    }
    const event = historyEvent(prev, next, this.o.clock.now());
    // After the record: a lost event is a gap in the history, a lost record would be a wrong state.
    if (event) await this.o.store.history.add(event).catch((err: unknown) => this.o.log.error({ err, event }, 'cannot record server history'));
    this.o.index.remember(next);
    this.o.activity.written(key);
    this.o.index.changed(key);
    return next;
  }

  /**
   * Deletes a server for good: its workspace, its logs and its record. Its history stays, ended by a delete
   * event (by `by`, else whoever asked for its last change), so its page still shows what it did, as its
   * executions and usage do (issue 17).
   */
  async remove(key: string, rec: ServerRecord, by?: string): Promise<void> {
    await this.o.spawner.removeWorkspace({ user: rec.user, server: rec.name }, this.deletingUsers.has(rec.user) ? 'user' : 'server');
    await this.o.logs?.removeServer(rec.user, rec.name);
    await this.o.store.servers.delete(rec.user, rec.name);
    const event = { user: rec.user, server: rec.name, t: this.o.clock.now(), action: 'delete' as const, reason: null, by: by ?? rec.requestedBy, message: null, profile: rec.profile };
    await this.o.store.history.add(event).catch((err: unknown) => this.o.log.error({ err, event }, 'cannot record server history'));
    this.o.index.forget(key);
    this.o.index.changed(key);
  }
}
