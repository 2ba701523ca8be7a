import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.js';

/** What names a usage series. */
export interface SeriesKey {
  user: string;
  server: string;
  kernel: string;
}

const keyOf = (k: SeriesKey) => `${k.user}\u0000${k.server}\u0000${k.kernel}`;
/** Three parameters a series: well under SQLite's limit per statement. */
const CHUNK = 500;
/** Ids remembered at most (a kernel is a new series): past this the memory starts over, as ids stay valid. */
const REMEMBERED = 200_000;

/** A batch's series ids, looked up by its rows. */
export type IdOf = (k: SeriesKey) => number;

/**
 * The integer ids of usage series (migration 010), remembered once seen. A series' id never changes and
 * series rows are never deleted, so a remembered id stays right, in every hub instance: a steady stream of
 * samples writes its rows without asking the database for ids.
 */
export class SeriesIds {
  private readonly ids = new Map<string, number>();

  constructor(private readonly db: Kysely<Database>) {}

  /** These series' ids when all are remembered, without a round trip; else undefined. */
  known(keys: readonly SeriesKey[]): IdOf | undefined {
    const mine = new Map<string, number>();
    for (const k of keys) {
      const key = keyOf(k);
      if (mine.has(key)) continue;
      const id = this.ids.get(key);
      if (id === undefined) return undefined;
      mine.set(key, id);
    }
    return lookup(mine);
  }

  /**
   * Finds or creates these series' ids. Outside any caller's transaction: a series created for a batch that
   * then fails is only a name without rows, and committing it at once lets concurrent writers share it.
   */
  async resolve(keys: readonly SeriesKey[]): Promise<IdOf> {
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
      for (const r of found) {
        const key = keyOf({ user: r.user_name, server: r.server, kernel: r.kernel });
        this.ids.set(key, Number(r.id));
        mine.set(key, Number(r.id));
      }
    }
    return lookup(mine);
  }
}

const lookup =
  (ids: ReadonlyMap<string, number>): IdOf =>
  (k) => {
    const id = ids.get(keyOf(k));
    // Only a row outside the keys it was resolved for gets here: a bug, not bad input.
    if (id === undefined) throw new Error(`usage series ${keyOf(k).replaceAll('\u0000', '/')} was not resolved`);
    return id;
  };
