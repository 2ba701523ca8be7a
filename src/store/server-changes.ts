import { sql, type Kysely } from 'kysely';
import type { ServerRepo, Store } from '../core/store.js';
import { serverFromRow } from './rows.js';
import type { Database } from './schema.js';

type Changes = Pick<ServerRepo, 'changeMark' | 'changes'>;

/**
 * The server records changed since a mark, from the stamps migration 012's triggers write. A mark is a stamp
 * below which nothing can commit any more: on PostgreSQL the oldest transaction still running (its snapshot's
 * xmin), so one that took its stamp before another's but commits after it is read next time, not skipped;
 * on SQLite, whose writers take turns, one more than the largest stamp.
 */
export const createServerChanges = (db: Kysely<Database>, dialect: Store['dialect']): Changes => {
  const markIn = async (q: Kysely<Database>): Promise<number> => {
    const r =
      dialect === 'postgres'
        ? await sql<{ m: number }>`select pg_snapshot_xmin(pg_current_snapshot())::text::bigint as m`.execute(q)
        : await sql<{ m: number }>`select max(n) + 1 as m from (select coalesce(max(changed_in), 0) as n from servers
            union all select coalesce(max(changed_in), 0) from server_tombstones) as stamps`.execute(q);
    return Number(r.rows[0]?.m);
  };
  // One snapshot for the mark and both reads: a key is either stored or deleted in it, never both.
  const snapshot = dialect === 'postgres' ? db.transaction().setIsolationLevel('repeatable read') : db.transaction();
  return {
    changeMark: () => markIn(db),
    changes: (mark) =>
      snapshot.execute(async (tx) => {
        const next = await markIn(tx);
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
      }),
  };
};
