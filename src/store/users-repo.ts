import { sql, type Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import type { UserChange, UserListQuery, UserRepo, UserSort, UserStateFilter } from '../core/store.js';
import type { StoreDialect } from './dialect.js';
import { userFromRow, userToRow } from './rows.js';
import type { Database } from './schema.js';
import { deleteUsage, renameUsage } from './series-owners.js';

const ACTIVE_STATES = ['pending', 'running', 'stopping'];
/** Tables keyed by the user's name: a renamed user keeps their execution history and usage; a deleted one's go with them. */
const OWNED = ['servers', 'tokens', 'sessions', 'server_events', 'executions', 'group_members'] as const;

export const createUsersRepo = (db: Kysely<Database>, dialect: StoreDialect): UserRepo => {
  const stateWhere = (state: UserStateFilter) => {
    const states = state === 'ready' ? ['running'] : state === 'failed' ? ['failed'] : ACTIVE_STATES;
    const sub = db.selectFrom('servers').select('servers.user_name').where('servers.state', 'in', states);
    return state === 'inactive' ? sql<boolean>`users.name not in (${sub})` : sql<boolean>`users.name in (${sub})`;
  };
  // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not.
  const contains = (column: string, text: string) => sql<boolean>`lower(${sql.ref(column)}) like ${likePattern(text)} escape '\\'`;
  const filters = (q: UserListQuery) => {
    const where = [];
    if (q.state) where.push(stateWhere(q.state));
    if (q.nameFilter !== undefined && q.nameFilter !== '') where.push(contains('users.name', q.nameFilter));
    if (q.search !== undefined && q.search !== '') {
      const byServer = db.selectFrom('servers').select('servers.user_name').where(contains('servers.name', q.search));
      where.push(sql<boolean>`(${contains('users.name', q.search)} or users.name in (${byServer}))`);
    }
    if (q.idleBefore !== undefined) {
      const idle = db
        .selectFrom('servers')
        .select('servers.user_name')
        .where('servers.state', '=', 'running')
        .where(sql<boolean>`coalesce(servers.last_activity, servers.started, 0) <= ${q.idleBefore}`);
      where.push(sql<boolean>`users.name in (${idle})`);
    }
    if (q.within) {
      const { users, groups } = q.within;
      const members = db.selectFrom('group_members').select('group_members.user_name').where('group_members.group_name', 'in', groups.length ? [...groups] : ['']);
      where.push(sql<boolean>`(users.name in (${sql.join(users.length ? [...users] : [''])}) or users.name in (${members}))`);
    }
    return where;
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
    list: async (query) => {
      let q = db.selectFrom('users');
      for (const w of filters(query)) q = q.where(w);
      const [rows, total] = await Promise.all([
        orderUsers(q.selectAll(), query.sort).offset(query.offset).limit(query.limit).execute(),
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

/** A LIKE pattern for "contains `text`", its own % and _ taken literally (escaped with a backslash). */
const likePattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

// The user model's last activity: the latest of the user's own and their servers' (api/models.ts userModel).
const LAST_ACTIVITY = sql<number>`(select max(coalesce(s.last_activity, s.started, 0)) from servers s where s.user_name = users.name)`;
const ACTIVITY = sql<number>`case when coalesce(users.last_activity, 0) > coalesce(${LAST_ACTIVITY}, 0) then coalesce(users.last_activity, 0) else coalesce(${LAST_ACTIVITY}, 0) end`;
const RUNNING = sql<number>`(select count(*) from servers s where s.user_name = users.name and s.state in ('pending', 'running', 'stopping'))`;
const FAILED = sql<number>`(select count(*) from servers s where s.user_name = users.name and s.state = 'failed')`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any select over users; kysely's builder types are deep
const orderUsers = <Q extends { orderBy: (...a: any[]) => Q }>(q: Q, sort: UserSort | undefined): Q => {
  const dir = sort?.startsWith('-') ? 'desc' : 'asc';
  switch (sort) {
    case undefined:
      return q.orderBy('created').orderBy('name');
    case 'name':
    case '-name':
      return q.orderBy('name', dir);
    case 'last_activity':
    case '-last_activity':
      return q.orderBy(ACTIVITY, dir).orderBy('name');
    // Running first (ascending reads "most alive first"), then failed, then the rest.
    case 'state':
    case '-state':
      return q.orderBy(RUNNING, dir === 'asc' ? 'desc' : 'asc').orderBy(FAILED, dir === 'asc' ? 'desc' : 'asc').orderBy('name');
  }
};
