import { sql, type Kysely } from 'kysely';
import type { StoreDialect } from './dialect.js';
import type { Database } from './schema.js';

/**
 * Every hub instance remembers usage series ids (SeriesIds), and series rows can go: a deleted user's, one
 * merged into another by a rename, one left without rows by pruning. Rows written under a remembered id
 * whose series is gone would be invisible and never pruned, so each such change moves one shared number
 * on, the series epoch (migration 013), in the same transaction, first; and a writer stores usage rows only
 * if the epoch is still the one its ids were read at. A writer refused so forgets its ids, reads them again
 * and writes again (SeriesIds.moved). Renames, deletions and prunes that drop series are rare: each empties
 * every instance's memory once, which refills a batch's series at a time.
 *
 * Why not a foreign key from the usage tables to usage_series: PostgreSQL checks one per inserted row (a
 * lookup and a KEY SHARE lock of the series row, written to its page), on the ingest path that stores
 * ~60k rows/s; the epoch is one row read and locked per batch. Why not forget ids after a while: a rename or
 * deletion can happen at any moment, and a pruned series may still be remembered by an instance replaying an
 * old backlog; a time bound would only make the window small, not close it.
 *
 * Ordering closes the window between a writer's check and its commit. PostgreSQL: the writer takes the epoch
 * lock shared, then locks the epoch row FOR SHARE (both held to its commit); the changer takes the epoch lock
 * exclusive before its UPDATE of the row, so it waits for the writers under way, whose rows are then committed
 * and seen (and moved or deleted) by its next statements; writers that come later wait for the changer and
 * then see the new epoch (a row locked FOR SHARE is read again in its latest version, whatever the
 * statement's snapshot). The advisory lock is there for fairness: PostgreSQL queues a lock request behind a
 * waiting conflicting one, but a row lock FOR SHARE joins the sharers already there, so with batches from
 * several agents always overlapping, an UPDATE waiting on the row alone never got it (a rename under 8
 * concurrent writers waited for minutes). SQLite: one writer at a time; the check runs inside the writer's
 * transaction once it holds the write lock.
 */

/**
 * Writes of one batch a writer makes under series ids that went stale (the epoch moved each time) before it
 * gives up: each retry follows one rename, deletion or prune.
 */
export const SERIES_RETRIES = 4;

/** Moves the epoch on: first in a transaction that deletes or renames series (it waits for writers under way). */
export const moveEpoch = async (tx: Kysely<Database>, dialect: StoreDialect): Promise<void> => {
  await dialect.lockEpoch(tx);
  await tx
    .updateTable('usage_series_epoch')
    .set((eb) => ({ epoch: eb('epoch', '+', 1) }))
    .execute();
};

/** The epoch now, without a lock (a writer that goes on to write checks it again). */
export const readEpoch = async (db: Kysely<Database>): Promise<number> =>
  Number((await db.selectFrom('usage_series_epoch').select('epoch').executeTakeFirstOrThrow()).epoch);

/** Whether the epoch is still `epoch`, inside a writer's transaction after its writes (StoreDialect.epochHolds). */
export const epochHeld = async (tx: Kysely<Database>, dialect: StoreDialect, epoch: number): Promise<boolean> =>
  Boolean((await sql<{ held: unknown }>`select ${dialect.epochHolds(epoch)} as held`.execute(tx)).rows[0]?.held);
