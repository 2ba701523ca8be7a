import type { Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import type { GroupRecord, GroupRepo } from '../core/groups.js';
import type { StoreDialect } from './dialect.js';
import { jsonColumn } from './rows.js';
import type { Database, GroupsTable } from './schema.js';

const fromRow = (row: GroupsTable, users: string[]): GroupRecord => ({
  name: row.name,
  properties: jsonColumn<Record<string, unknown>>(row.properties, {}),
  created: Number(row.created),
  users,
});

export const createGroupsRepo = (db: Kysely<Database>, dialect: StoreDialect): GroupRepo => {
  const exists = async (name: string) => (await db.selectFrom('groups').select('name').where('name', '=', name).executeTakeFirst()) !== undefined;
  const members = async (groups: readonly string[]): Promise<Map<string, string[]>> => {
    const out = new Map<string, string[]>(groups.map((g) => [g, []]));
    if (groups.length === 0) return out;
    const rows = await db.selectFrom('group_members').selectAll().where('group_name', 'in', groups).orderBy('user_name').execute();
    for (const r of rows) out.get(r.group_name)?.push(r.user_name);
    return out;
  };
  return {
    create: async (g) => {
      try {
        await db.insertInto('groups').values({ name: g.name, properties: JSON.stringify(g.properties), created: g.created }).execute();
      } catch (err) {
        if (dialect.isUniqueViolation(err)) throw conflict(`Group ${g.name} already exists`);
        throw err;
      }
    },
    get: async (name) => {
      const row = await db.selectFrom('groups').selectAll().where('name', '=', name).executeTakeFirst();
      return row && fromRow(row, (await members([name])).get(name) ?? []);
    },
    list: async ({ offset, limit }) => {
      const rows = await db.selectFrom('groups').selectAll().orderBy('name').limit(limit).offset(offset).execute();
      const byGroup = await members(rows.map((r) => r.name));
      const total = await db.selectFrom('groups').select((e) => e.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
      return { items: rows.map((r) => fromRow(r, byGroup.get(r.name) ?? [])), total: Number(total.n) };
    },
    delete: async (name) => {
      let found = false;
      await db.transaction().execute(async (tx) => {
        await tx.deleteFrom('group_members').where('group_name', '=', name).execute();
        const r = await tx.deleteFrom('groups').where('name', '=', name).executeTakeFirst();
        found = Number(r.numDeletedRows) > 0;
      });
      return found;
    },
    setProperties: async (name, properties) => {
      const r = await db.updateTable('groups').set({ properties: JSON.stringify(properties) }).where('name', '=', name).executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    addUsers: async (name, users) => {
      if (!(await exists(name))) return false;
      if (users.length === 0) return true;
      await db
        .insertInto('group_members')
        .values([...new Set(users)].map((u) => ({ group_name: name, user_name: u })))
        .onConflict((oc) => oc.columns(['group_name', 'user_name']).doNothing())
        .execute();
      return true;
    },
    removeUsers: async (name, users) => {
      if (!(await exists(name))) return false;
      if (users.length > 0) await db.deleteFrom('group_members').where('group_name', '=', name).where('user_name', 'in', users).execute();
      return true;
    },
    ofUser: async (user) =>
      (await db.selectFrom('group_members').select('group_name').where('user_name', '=', user).orderBy('group_name').execute()).map((r) => r.group_name),
    ofUsers: async (users) => {
      const out = new Map<string, string[]>(users.map((u) => [u, []]));
      if (users.length === 0) return out;
      const rows = await db.selectFrom('group_members').selectAll().where('user_name', 'in', users).orderBy('group_name').execute();
      for (const r of rows) out.get(r.user_name)?.push(r.group_name);
      return out;
    },
    setUserGroups: async (user, groups, at) => {
      const wanted = [...new Set(groups)];
      await db.transaction().execute(async (tx) => {
        if (wanted.length > 0) {
          await tx
            .insertInto('groups')
            .values(wanted.map((name) => ({ name, properties: '{}', created: at })))
            .onConflict((oc) => oc.column('name').doNothing())
            .execute();
        }
        let drop = tx.deleteFrom('group_members').where('user_name', '=', user);
        if (wanted.length > 0) drop = drop.where('group_name', 'not in', wanted);
        await drop.execute();
        if (wanted.length > 0) {
          await tx
            .insertInto('group_members')
            .values(wanted.map((g) => ({ group_name: g, user_name: user })))
            .onConflict((oc) => oc.columns(['group_name', 'user_name']).doNothing())
            .execute();
        }
      });
    },
  };
};
