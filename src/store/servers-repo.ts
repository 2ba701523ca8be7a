import { sql, type Kysely } from 'kysely';
import type { ServerRepo } from '../core/store.js';
import type { StoreDialect } from './dialect.js';
import { serverFromRow, serverToRow } from './rows.js';
import type { Database } from './schema.js';
import { createServerChanges } from './server-changes.js';
import type { ServerTestRepo } from './testing.js';

/** The later of the stored last activity and `at` (null: the stored one), in one statement. */
const laterActivity = (at: number | null) =>
  at === null
    ? sql<number | null>`last_activity`
    : sql<number>`case when last_activity is null or last_activity < ${at} then cast(${at} as bigint) else last_activity end`;

/** Server records, versioned (compare and set), with the tools' and tests' direct writes (testing.ts). */
export const createServersRepo = (db: Kysely<Database>, dialect: StoreDialect): ServerRepo & ServerTestRepo => ({
  get: async (user, name) => {
    const row = await db.selectFrom('servers').selectAll().where('user_name', '=', user).where('name', '=', name).executeTakeFirst();
    return row && serverFromRow(row);
  },
  listByUser: async (user) => (await db.selectFrom('servers').selectAll().where('user_name', '=', user).orderBy('name').execute()).map(serverFromRow),
  listAll: async () => (await db.selectFrom('servers').selectAll().execute()).map(serverFromRow),
  put: async (record) => {
    const row = serverToRow(record);
    const { user_name: _u, name: _n, ...rest } = row;
    await db
      .insertInto('servers')
      .values(row)
      .onConflict((oc) => oc.columns(['user_name', 'name']).doUpdateSet(rest))
      .execute();
  },
  write: async (record) => {
    const row = serverToRow(record);
    if (record.version === 1) {
      const r = await db
        .insertInto('servers')
        .values(row)
        .onConflict((oc) => oc.columns(['user_name', 'name']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
    }
    const { user_name: _u, name: _n, last_activity, ...rest } = row;
    const r = await db
      .updateTable('servers')
      .set({ ...rest, last_activity: laterActivity(last_activity) })
      .where('user_name', '=', record.user)
      .where('name', '=', record.name)
      .where('version', '=', record.version - 1)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  claim: async (user, name, { from, version, to }) => {
    const r = await db
      .updateTable('servers')
      .set({ owner: to, version: version + 1 })
      .where('user_name', '=', user)
      .where('name', '=', name)
      .where('version', '=', version)
      .where('owner', from === null ? 'is' : '=', from)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  },
  noteActivity: async (user, name, at) => {
    await db
      .updateTable('servers')
      .set({ last_activity: at })
      .where('user_name', '=', user)
      .where('name', '=', name)
      .where((eb) => eb.or([eb('last_activity', 'is', null), eb('last_activity', '<', at)]))
      .execute();
  },
  watch: dialect.watchServers,
  delete: async (user, name) => {
    await db.deleteFrom('servers').where('user_name', '=', user).where('name', '=', name).execute();
  },
  changeMark: () => dialect.changeMark(db),
  changes: createServerChanges(db, dialect),
});
