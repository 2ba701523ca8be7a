import { sql, type Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import type { UserChange, UserRepo, UserStateFilter } from '../core/store.js';
import type { StoreDialect } from './dialect.js';
import { userFromRow, userToRow } from './rows.js';
import type { Database } from './schema.js';
import { deleteUsage, renameUsage } from './series-owners.js';

const ACTIVE_STATES = ['pending', 'running', 'stopping'];
/** Tables keyed by the user's name: a renamed user keeps their execution history and usage; a deleted one's go with them. */
const OWNED = ['servers', 'tokens', 'sessions', 'server_events', 'executions'] as const;

export const createUsersRepo = (db: Kysely<Database>, dialect: StoreDialect): UserRepo => {
  const stateWhere = (state: UserStateFilter | undefined) => {
    if (!state) return undefined;
    const states = state === 'ready' ? ['running'] : ACTIVE_STATES;
    const sub = db.selectFrom('servers').select('servers.user_name').where('servers.state', 'in', states);
    return state === 'inactive' ? sql<boolean>`users.name not in (${sub})` : sql<boolean>`users.name in (${sub})`;
  };
  const rename = async (tx: Kysely<Database>, from: string, to: string) => {
    await tx.updateTable('users').set({ name: to }).where('name', '=', from).execute();
    for (const t of OWNED) await tx.updateTable(t).set({ user_name: to }).where('user_name', '=', from).execute();
    await renameUsage(tx, dialect, from, to);
  };
  return {
    create: async (user) => {
      try {
        await db.insertInto('users').values(userToRow(user)).execute();
      } catch (err) {
        if (dialect.isUniqueViolation(err)) throw conflict(`User ${user.name} already exists`);
        throw err;
      }
    },
    get: async (name) => {
      const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
      return row && userFromRow(row);
    },
    list: async ({ offset, limit, state }) => {
      const where = stateWhere(state);
      let q = db.selectFrom('users');
      if (where) q = q.where(where);
      const [rows, total] = await Promise.all([
        q.selectAll().orderBy('created').orderBy('name').offset(offset).limit(limit).execute(),
        q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { items: rows.map(userFromRow), total: Number(total.n) };
    },
    count: async (filter) => {
      let q = db.selectFrom('users');
      if (filter?.admin !== undefined) q = q.where('admin', '=', filter.admin ? 1 : 0);
      const r = await q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },
    update: async (name, change: UserChange) => {
      const row: Partial<Database['users']> = {};
      if (change.admin !== undefined) row.admin = change.admin ? 1 : 0;
      if (change.passwordHash !== undefined) row.password_hash = change.passwordHash;
      if (change.lastActivity !== undefined) row.last_activity = change.lastActivity;
      const to = change.name !== undefined && change.name !== name ? change.name : undefined;
      if (Object.keys(row).length === 0 && to === undefined) return;
      // One transaction: a rename refused (the name is taken) leaves the flag and the password as they were.
      try {
        await db.transaction().execute(async (tx) => {
          if (Object.keys(row).length > 0) await tx.updateTable('users').set(row).where('name', '=', name).execute();
          if (to !== undefined) await rename(tx, name, to);
        });
      } catch (err) {
        if (to !== undefined && dialect.isUniqueViolation(err)) throw conflict(`User ${to} already exists`);
        throw err;
      }
    },
    delete: async (name) => {
      await db.transaction().execute(async (tx) => {
        for (const t of OWNED) await tx.deleteFrom(t).where('user_name', '=', name).execute();
        await deleteUsage(tx, dialect, name);
        await tx.deleteFrom('users').where('name', '=', name).execute();
      });
    },
  };
};
