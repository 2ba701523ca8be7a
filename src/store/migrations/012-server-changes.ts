import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Instances reload only the server records changed since their last look, not all of them each poll.
 * `changed_in` says when a row was last written, `server_tombstones` which keys were deleted (or renamed
 * away) and when; both are stamped by triggers, so every writer (the hub, the CLI, a user's rename or
 * deletion) is covered without each statement having to remember.
 *
 * PostgreSQL stamps the writing transaction's id: a reader then asks from the oldest transaction still
 * running at its last look (its snapshot's xmin), so a transaction that took its stamp early and committed
 * late is still read (the watermark race of a plain sequence). SQLite has one writer at a time, so a counter
 * (the largest stamp + 1) is in commit order already. Tombstones older than a day are pruned by the next
 * deletion: readers list everything every few minutes anyway (lifecycle/sharing.ts).
 */
const DAY_MS = 86_400_000;

const postgresUp = async (db: Kysely<unknown>): Promise<void> => {
  await sql`create or replace function nbhub_servers_stamp() returns trigger language plpgsql as $$
    declare
      now_ms bigint := (extract(epoch from clock_timestamp()) * 1000)::bigint;
      xid bigint := pg_current_xact_id()::text::bigint;
    begin
      if tg_op = 'INSERT' or tg_op = 'UPDATE' then
        new.changed_in := xid;
      end if;
      if tg_op = 'DELETE' or (tg_op = 'UPDATE' and (old.user_name, old.name) is distinct from (new.user_name, new.name)) then
        insert into server_tombstones (user_name, name, changed_in, deleted_at) values (old.user_name, old.name, xid, now_ms)
          on conflict (user_name, name) do update set changed_in = excluded.changed_in, deleted_at = excluded.deleted_at;
        delete from server_tombstones where deleted_at < now_ms - ${sql.lit(DAY_MS)};
      end if;
      if tg_op = 'DELETE' then return old; end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger servers_stamp before insert or update or delete on servers for each row execute function nbhub_servers_stamp()`.execute(db);
};

/** SQLite: the next stamp, one more than any given so far (writers are serialised, so this is commit order). */
const NEXT = `(select max(n) + 1 from (select coalesce(max(changed_in), 0) as n from servers union all select coalesce(max(changed_in), 0) from server_tombstones))`;
const NOW_MS = `cast((julianday('now') - 2440587.5) * 86400000 as integer)`;
const TOMBSTONE = (where: string) => `insert into server_tombstones (user_name, name, changed_in, deleted_at) select old.user_name, old.name, ${NEXT}, ${NOW_MS} where ${where}
    on conflict (user_name, name) do update set changed_in = excluded.changed_in, deleted_at = excluded.deleted_at;
  delete from server_tombstones where deleted_at < ${NOW_MS} - ${DAY_MS};`;

const sqliteUp = async (db: Kysely<unknown>): Promise<void> => {
  const stampNew = `update servers set changed_in = ${NEXT} where user_name = new.user_name and name = new.name;`;
  await sql.raw(`create trigger servers_stamp_insert after insert on servers begin ${stampNew} end`).execute(db);
  // The guard: the stamp's own update must not stamp again (were recursive triggers on).
  await sql
    .raw(`create trigger servers_stamp_update after update on servers when new.changed_in = old.changed_in begin
      ${TOMBSTONE('old.user_name <> new.user_name or old.name <> new.name')}
      ${stampNew} end`)
    .execute(db);
  await sql.raw(`create trigger servers_stamp_delete after delete on servers begin ${TOMBSTONE('true')} end`).execute(db);
};

export const up = async (db: Kysely<unknown>): Promise<void> => {
  // Existing rows at 0: a reader's first look is a full listing anyway.
  await db.schema.alterTable('servers').addColumn('changed_in', 'bigint', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('servers_changed_in').on('servers').column('changed_in').execute();
  await db.schema
    .createTable('server_tombstones')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('changed_in', 'bigint', (c) => c.notNull())
    .addColumn('deleted_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('server_tombstones_pk', ['user_name', 'name'])
    .execute();
  await db.schema.createIndex('server_tombstones_changed_in').on('server_tombstones').column('changed_in').execute();
  await (db.getExecutor().adapter instanceof PostgresAdapter ? postgresUp(db) : sqliteUp(db));
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger if exists servers_stamp on servers`.execute(db);
    await sql`drop function if exists nbhub_servers_stamp()`.execute(db);
  } else {
    for (const t of ['servers_stamp_insert', 'servers_stamp_update', 'servers_stamp_delete']) await sql.raw(`drop trigger if exists ${t}`).execute(db);
  }
  await db.schema.dropTable('server_tombstones').execute();
  await db.schema.dropIndex('servers_changed_in').execute();
  await db.schema.alterTable('servers').dropColumn('changed_in').execute();
};
