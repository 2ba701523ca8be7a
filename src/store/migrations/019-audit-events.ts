import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * The audit trail (issue 16): one row per audit event. `user_name` is the event's subject, `by` who asked (null for
 * events that name no one, as logins), `data` the event's other fields as JSON. Read newest first, by time and by
 * user; pruned by time (monitoring.retention.audit_days).
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('audit_events')
    .addColumn('id', postgres ? 'bigserial' : 'integer', (c) => (postgres ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('time', 'bigint', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('by', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('audit_events_time').on('audit_events').columns(['time', 'id']).execute();
  await db.schema.createIndex('audit_events_user').on('audit_events').columns(['user_name', 'time']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('audit_events').execute();
};
