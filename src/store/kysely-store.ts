import { Migrator, sql, type Kysely } from 'kysely';
import { conflict } from '../core/errors.js';
import type { Store, UserStateFilter } from '../core/store.js';
import { migrationProvider } from './migrations/index.js';
import {
  serverFromRow,
  serverToRow,
  sessionFromRow,
  sessionToRow,
  tokenFromRow,
  tokenToRow,
  userFromRow,
  userToRow,
} from './rows.js';
import type { Database } from './schema.js';
import { createHistoryRepo } from './history-repo.js';
import { createExecutionRepo } from './execution-repo.js';
import { createAgentRepo } from './agents-repo.js';
import { bulkFor } from './bulk.js';
import { createEventRepo } from './events-repo.js';
import { createUsageRepo } from './usage-repo.js';
import { SeriesIds } from './series-ids.js';
import { createServerChanges } from './server-changes.js';
import { deleteUsage, renameUsage } from './series-owners.js';

export interface DialectParts {
  dialect: Store['dialect'];
  db: Kysely<Database>;
  isUniqueViolation(err: unknown): boolean;
}

const ACTIVE_STATES = ['pending', 'running', 'stopping'];

/** The later of the stored last activity and `at` (null: the stored one), in one statement. */
const laterActivity = (at: number | null) =>
  at === null
    ? sql<number | null>`last_activity`
    : sql<number>`case when last_activity is null or last_activity < ${at} then cast(${at} as bigint) else last_activity end`;

/** The Store for every SQL dialect kysely speaks; sqlite/ and postgres/ only supply the connection. */
export const createKyselyStore = ({ dialect, db, isUniqueViolation }: DialectParts): Store => {
  // Shared by the two writers of usage rows, so a series resolved by one is known to the other.
  const seriesIds = new SeriesIds(db, dialect);
  const bulk = bulkFor(dialect);
  const onConflict = async (work: () => Promise<unknown>, message: string): Promise<void> => {
    try {
      await work();
    } catch (err) {
      if (isUniqueViolation(err)) throw conflict(message);
      throw err;
    }
  };

  const userStateWhere = (state: UserStateFilter | undefined) => {
    if (!state) return undefined;
    const states = state === 'ready' ? ['running'] : ACTIVE_STATES;
    const sub = db.selectFrom('servers').select('servers.user_name').where('servers.state', 'in', states);
    return state === 'inactive' ? sql<boolean>`users.name not in (${sub})` : sql<boolean>`users.name in (${sub})`;
  };

  return {
    dialect,
    users: {
      create: (user) => onConflict(() => db.insertInto('users').values(userToRow(user)).execute(), `User ${user.name} already exists`),
      get: async (name) => {
        const row = await db.selectFrom('users').selectAll().where('name', '=', name).executeTakeFirst();
        return row && userFromRow(row);
      },
      list: async ({ offset, limit, state }) => {
        const where = userStateWhere(state);
        let q = db.selectFrom('users');
        if (where) q = q.where(where);
        const [rows, total] = await Promise.all([
          q.selectAll().orderBy('created').orderBy('name').offset(offset).limit(limit).execute(),
          q.select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow(),
        ]);
        return { items: rows.map(userFromRow), total: Number(total.n) };
      },
      count: async () => {
        const r = await db.selectFrom('users').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
        return Number(r.n);
      },
      update: async (name, patch) => {
        const row: Partial<Database['users']> = {};
        if (patch.admin !== undefined) row.admin = patch.admin ? 1 : 0;
        if (patch.passwordHash !== undefined) row.password_hash = patch.passwordHash;
        if (patch.lastActivity !== undefined) row.last_activity = patch.lastActivity;
        if (Object.keys(row).length === 0) return;
        await db.updateTable('users').set(row).where('name', '=', name).execute();
      },
      rename: (from, to) =>
        onConflict(
          () =>
            db.transaction().execute(async (tx) => {
              await tx.updateTable('users').set({ name: to }).where('name', '=', from).execute();
              // A renamed user keeps their execution history and usage; a deleted one's go with them.
              for (const t of ['servers', 'tokens', 'sessions', 'server_events', 'executions'] as const) {
                await tx.updateTable(t).set({ user_name: to }).where('user_name', '=', from).execute();
              }
              await renameUsage(tx, dialect, from, to);
            }),
          `User ${to} already exists`,
        ),
      delete: async (name) => {
        await db.transaction().execute(async (tx) => {
          for (const t of ['servers', 'tokens', 'sessions', 'server_events', 'executions'] as const) {
            await tx.deleteFrom(t).where('user_name', '=', name).execute();
          }
          await deleteUsage(tx, name);
          await tx.deleteFrom('users').where('name', '=', name).execute();
        });
      },
    },
    servers: {
      get: async (user, name) => {
        const row = await db.selectFrom('servers').selectAll().where('user_name', '=', user).where('name', '=', name).executeTakeFirst();
        return row && serverFromRow(row);
      },
      listByUser: async (user) =>
        (await db.selectFrom('servers').selectAll().where('user_name', '=', user).orderBy('name').execute()).map(serverFromRow),
      listByUsers: async (users) =>
        users.length === 0
          ? []
          : (await db.selectFrom('servers').selectAll().where('user_name', 'in', users).orderBy('name').execute()).map(serverFromRow),
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
      delete: async (user, name) => {
        await db.deleteFrom('servers').where('user_name', '=', user).where('name', '=', name).execute();
      },
      ...createServerChanges(db, dialect),
    },
    tokens: {
      create: (token) => onConflict(() => db.insertInto('tokens').values(tokenToRow(token)).execute(), 'Token already exists'),
      findByHash: async (hash) => {
        const row = await db.selectFrom('tokens').selectAll().where('hash', '=', hash).executeTakeFirst();
        return row && tokenFromRow(row);
      },
      get: async (user, id) => {
        const row = await db.selectFrom('tokens').selectAll().where('user_name', '=', user).where('id', '=', id).executeTakeFirst();
        return row && tokenFromRow(row);
      },
      listByUser: async (user) =>
        (await db.selectFrom('tokens').selectAll().where('user_name', '=', user).orderBy('created').execute()).map(tokenFromRow),
      delete: async (user, id) => {
        const r = await db.deleteFrom('tokens').where('user_name', '=', user).where('id', '=', id).executeTakeFirst();
        return Number(r.numDeletedRows) > 0;
      },
      touch: async (id, at) => {
        await db.updateTable('tokens').set({ last_activity: at }).where('id', '=', id).execute();
      },
    },
    sessions: {
      create: async (s) => {
        await db.insertInto('sessions').values(sessionToRow(s)).execute();
      },
      get: async (idHash) => {
        const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
        return row && sessionFromRow(row);
      },
      delete: async (idHash) => {
        await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
      },
      deleteExpired: async (now) => {
        const r = await db.deleteFrom('sessions').where('expires_at', '<', now).executeTakeFirst();
        return Number(r.numDeletedRows);
      },
    },
    meta: {
      get: async (key) => (await db.selectFrom('meta').select('value').where('key', '=', key).executeTakeFirst())?.value,
      set: async (key, value) => {
        await db
          .insertInto('meta')
          .values({ key, value })
          .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
          .execute();
      },
    },
    usage: createUsageRepo(db, bulk, dialect, seriesIds),
    history: createHistoryRepo(db),
    executions: createExecutionRepo(db),
    agents: createAgentRepo(db),
    events: createEventRepo(db, bulk.guarded, isUniqueViolation, seriesIds),
    migrate: async () => {
      // Migrations are numbered per feature and may land out of order; each runs once whatever the order.
      const { error, results } = await new Migrator({ db, provider: migrationProvider, allowUnorderedMigrations: true }).migrateToLatest();
      const failed = results?.find((r) => r.status === 'Error');
      if (error || failed) {
        throw new Error(`store migration ${failed?.migrationName ?? ''} failed: ${String((error as Error | undefined)?.message ?? error)}`, {
          cause: error,
        });
      }
    },
    close: () => db.destroy(),
  };
};
