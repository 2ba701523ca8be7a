import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Agents, the events the hub stored of them, and the hub instances that share them (DESIGN.md idea 7).
 * Each agent's row carries its stored offset and lease, so a batch and the offset it reaches are written in
 * one transaction; unique (agent, offset) is the backstop against storing an event twice.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('url', 'text')
    .addColumn('secret', 'text')
    .addColumn('registered_at', 'bigint', (c) => c.notNull())
    .addColumn('last_contact', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('stored_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('stored_time', 'bigint')
    .addColumn('head_offset', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('head_time', 'bigint')
    .addColumn('events_lost', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('lease_owner', 'text')
    .addColumn('lease_expires', 'bigint')
    .execute();
  // The hub's own sequence: ascending in commit order (SQLite has one writer; PostgreSQL writers take a
  // lock before inserting), never reused (SQLite AUTOINCREMENT), so consumers page by it safely.
  await db.schema
    .createTable('agent_events')
    .addColumn('seq', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('agent', 'text', (c) => c.notNull())
    .addColumn('agent_offset', 'bigint', (c) => c.notNull())
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('stored_at', 'bigint', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('data', 'text', (c) => c.notNull())
    .addUniqueConstraint('agent_events_agent_offset', ['agent', 'agent_offset'])
    .execute();
  await db.schema
    .createTable('hub_instances')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('last_seen', 'bigint', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const t of ['hub_instances', 'agent_events', 'agents']) await db.schema.dropTable(t).execute();
};
