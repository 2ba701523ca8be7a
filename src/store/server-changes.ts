import type { Kysely } from 'kysely';
import type { ServerRepo } from '../core/store.js';
import type { StoreDialect } from './dialect.js';
import { serverFromRow } from './rows.js';
import type { Database } from './schema.js';

/**
 * The server records changed since a mark, from the stamps migration 012's triggers write. A mark is a stamp
 * below which nothing can commit any more (StoreDialect.changeMark): a write that took its stamp before
 * another's but commits after it is read next time, not skipped.
 */
export const createServerChanges =
  (db: Kysely<Database>, dialect: StoreDialect): ServerRepo['changes'] =>
  (mark) =>
    // One snapshot for the mark and both reads: a key is either stored or deleted in it, never both.
    dialect.snapshot(db).execute(async (tx) => {
      const next = await dialect.changeMark(tx);
      const rows = await tx.selectFrom('servers').selectAll().where('changed_in', '>=', mark).execute();
      const deleted = await tx
        .selectFrom('server_tombstones as t')
        .select(['t.user_name', 't.name'])
        .where('t.changed_in', '>=', mark)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('servers as s').select('s.name').whereRef('s.user_name', '=', 't.user_name').whereRef('s.name', '=', 't.name'))),
        )
        .execute();
      return { records: rows.map(serverFromRow), deleted: deleted.map((d) => ({ user: d.user_name, name: d.name })), next };
    });
