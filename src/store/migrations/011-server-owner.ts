import { PostgresAdapter, sql, type Kysely } from 'kysely';

/**
 * Several hub instances on one PostgreSQL (issue 6): each server record names the instance that acts on it
 * (`owner`, its instance id; null until one claims it), and carries a `version` that every write of the
 * record moves on, so a write based on an older read loses (compare and set) instead of overwriting.
 * `remove_requested`: a deletion asked for through an instance that does not own the record, for the owner
 * to carry out. Existing rows start at version 1 with no owner (the first instance to look claims them).
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('servers').addColumn('owner', 'text').execute();
  await db.schema.alterTable('servers').addColumn('version', 'bigint', (c) => c.notNull().defaultTo(1)).execute();
  await db.schema.alterTable('servers').addColumn('remove_requested', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // PostgreSQL: every new version of a record (and its deletion) is announced, so the other instances reload
  // it at once instead of at their next poll. Activity alone (no new version) is not.
  await sql`create or replace function nbhub_servers_changed() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then
        perform pg_notify('nbhub_servers', json_build_object('u', old.user_name, 'n', old.name, 'v', null)::text);
        return old;
      end if;
      perform pg_notify('nbhub_servers', json_build_object('u', new.user_name, 'n', new.name, 'v', new.version)::text);
      return new;
    end $$`.execute(db);
  await sql`create trigger servers_changed after insert or delete or update of version on servers
    for each row execute function nbhub_servers_changed()`.execute(db);
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`drop trigger if exists servers_changed on servers`.execute(db);
    await sql`drop function if exists nbhub_servers_changed()`.execute(db);
  }
  for (const c of ['remove_requested', 'version', 'owner']) await db.schema.alterTable('servers').dropColumn(c).execute();
};
