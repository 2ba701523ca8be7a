import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';
import type { StoreDialect } from './dialect.js';
import { readEpoch } from './series-epoch.js';

/** What names a usage series. */
export interface SeriesKey {
  user: string;
  server: string;
  kernel: string;
}

const keyOf = (k: SeriesKey) => `${k.user}\u0000${k.server}\u0000${k.kernel}`;
/** Three parameters a series: well under SQLite's limit per statement. */
const CHUNK = 500;
/** Ids remembered at most (a kernel is a new series): past this the memory starts over. */
const REMEMBERED = 200_000;

/** A batch's series ids, looked up by its rows, and the series epoch they hold at (series-epoch.ts). */
export interface IdOf {
  (k: SeriesKey): number;
  readonly epoch: number;
}

/**
 * The integer ids of usage series (migration 010), remembered once seen: a steady stream of samples writes
 * its rows without asking the database for ids. Series rows can be deleted (series-epoch.ts): the ids
 * remembered are those of one series epoch, and a write under them stores nothing once the epoch has moved.
 */
export class SeriesIds {
  private readonly ids = new Map<string, number>();
  /** The epoch the remembered ids were read at; undefined until read. */
  private epoch: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Pick<StoreDialect, 'epochHolds'>,
  ) {}

  /** These series' ids when all are remembered, without a round trip; else undefined. */
  known(keys: readonly SeriesKey[]): IdOf | undefined {
    if (this.epoch === undefined) return undefined;
    const mine = new Map<string, number>();
    for (const k of keys) {
      const key = keyOf(k);
      if (mine.has(key)) continue;
      const id = this.ids.get(key);
      if (id === undefined) return undefined;
      mine.set(key, id);
    }
    return lookup(mine, this.epoch);
  }

  /**
   * Finds or creates these series' ids. Outside any caller's transaction: a series created for a batch that
   * then fails is only a name without rows, and committing it at once lets concurrent writers share it.
   */
  async resolve(keys: readonly SeriesKey[]): Promise<IdOf> {
    const known = this.known(keys);
    if (known) return known;
    // Read before the ids: ids read after it are right at that epoch, or the epoch has moved and the write fails.
    const epoch = await readEpoch(this.db);
    // Epochs only grow: one read earlier than another resolve's does not turn the memory back.
    if (this.epoch === undefined || epoch > this.epoch) this.forget(epoch);
    const mine = new Map<string, number>();
    const missing = new Map<string, SeriesKey>();
    for (const k of keys) {
      const key = keyOf(k);
      const id = this.ids.get(key);
      if (id !== undefined) mine.set(key, id);
      else missing.set(key, k);
    }
    if (this.ids.size + missing.size > REMEMBERED) this.ids.clear();
    const all = [...missing.values()];
    for (let i = 0; i < all.length; i += CHUNK) {
      const chunk = all.slice(i, i + CHUNK);
      await this.db
        .insertInto('usage_series')
        .values(chunk.map((k) => ({ user_name: k.user, server: k.server, kernel: k.kernel })))
        .onConflict((oc) => oc.columns(['user_name', 'server', 'kernel']).doNothing())
        .execute();
      const found = await this.db
        .selectFrom('usage_series')
        .select(['id', 'user_name', 'server', 'kernel'])
        .where(sql<boolean>`(user_name, server, kernel) in (values ${sql.join(chunk.map((k) => sql`(${k.user}, ${k.server}, ${k.kernel})`))})`)
        .execute();
      // Remembered only while the memory is of this epoch (another resolve may have read a later one meanwhile).
      const remember = this.epoch === epoch;
      for (const r of found) {
        const key = keyOf({ user: r.user_name, server: r.server, kernel: r.kernel });
        if (remember) this.ids.set(key, Number(r.id));
        mine.set(key, Number(r.id));
      }
    }
    return lookup(mine, epoch);
  }

  /**
   * Whether the epoch has moved on from `epoch` (a write under it was refused, or would be); if so the ids
   * remembered are forgotten, and the next resolve() reads them again.
   */
  async moved(epoch: number): Promise<boolean> {
    const now = await readEpoch(this.db);
    if (now !== this.epoch) this.forget(undefined);
    return now !== epoch;
  }

  /** The SQL condition that `epoch` still holds, for the statement that writes rows under its ids. */
  holds(epoch: number) {
    return this.dialect.epochHolds(epoch);
  }

  private forget(epoch: number | undefined): void {
    this.ids.clear();
    this.epoch = epoch;
  }
}

const lookup = (ids: ReadonlyMap<string, number>, epoch: number): IdOf =>
  Object.assign(
    (k: SeriesKey) => {
      const id = ids.get(keyOf(k));
      // Only a row outside the keys it was resolved for gets here: a bug, not bad input.
      if (id === undefined) throw new Error(`usage series ${keyOf(k).replaceAll('\u0000', '/')} was not resolved`);
      return id;
    },
    { epoch },
  );
