import { PostgresAdapter, sql, type Kysely } from 'kysely';

const TABLES = ['usage_raw', 'usage_1m', 'usage_1h', 'usage_1d'] as const;
// Folded on every stored batch: room on their pages lets PostgreSQL update in place (as 008 set).
const FOLDED = new Set<string>(['usage_1h', 'usage_1d']);

/**
 * Usage rows keyed by an integer series id instead of (user, server, kernel) text: every row, key and
 * index entry was three strings (a kernel id is 36 characters), compared on every insert and fold and
 * grouped by on every query. `usage_series` names each series once.
 * - SQLite: the usage tables become WITHOUT ROWID, clustered on (series, t): one B-tree per table instead of
 *   a table, a key index and a time index, and a series' rows are read in order without a sort.
 * - PostgreSQL: the time index (only pruning uses it) becomes BRIN, which rows appended in time order
 *   barely touch.
 * The runtimes' own series (kernel '') get a partial index: month-long queries over everyone start there.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable('usage_series')
    .addColumn('id', postgres ? 'bigint' : 'integer', (c) => (postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey()))
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('kernel', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('usage_series_key').on('usage_series').columns(['user_name', 'server', 'kernel']).unique().execute();
  await db.schema.createIndex('usage_series_runtimes').on('usage_series').column('id').where(sql.ref('kernel'), '=', '').execute();
  const union = sql.join(
    TABLES.map((t) => sql`select user_name, server, kernel from ${sql.table(t)}`),
    sql` union `,
  );
  await sql`insert into usage_series (user_name, server, kernel) select user_name, server, kernel from (${union}) k order by user_name, server, kernel`.execute(db);

  for (const table of TABLES) {
    const next = `${table}_next`;
    await db.schema
      .createTable(next)
      .addColumn('series', 'bigint', (c) => c.notNull())
      .addColumn('t', 'bigint', (c) => c.notNull())
      .addColumn('cpu_from', 'double precision', (c) => c.notNull())
      .addColumn('cpu', 'double precision', (c) => c.notNull())
      .addColumn('memory', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_series_pk`, ['series', 't'])
      .$call((b) => (postgres ? (FOLDED.has(table) ? b.modifyEnd(sql`with (fillfactor = 70)`) : b) : b.modifyEnd(sql`without rowid`)))
      .execute();
    await sql`
      insert into ${sql.table(next)} (series, t, cpu_from, cpu, memory)
      select s.id, u.t, u.cpu_from, u.cpu, u.memory from ${sql.table(table)} u
      join usage_series s on s.user_name = u.user_name and s.server = u.server and s.kernel = u.kernel
      order by s.id, u.t`.execute(db);
    await db.schema.dropTable(table).execute();
    await db.schema.alterTable(next).renameTo(table).execute();
    if (postgres) await sql`create index ${sql.id(`${table}_t`)} on ${sql.table(table)} using brin (t)`.execute(db);
    else await db.schema.createIndex(`${table}_t`).on(table).column('t').execute();
  }
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of TABLES) {
    const prev = `${table}_prev`;
    await db.schema
      .createTable(prev)
      .addColumn('user_name', 'text', (c) => c.notNull())
      .addColumn('server', 'text', (c) => c.notNull())
      .addColumn('kernel', 'text', (c) => c.notNull())
      .addColumn('t', 'bigint', (c) => c.notNull())
      .addColumn('cpu', 'double precision', (c) => c.notNull())
      .addColumn('memory', 'bigint', (c) => c.notNull())
      .addColumn('cpu_from', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint(`${table}_pk`, ['user_name', 'server', 'kernel', 't'])
      .execute();
    await sql`
      insert into ${sql.table(prev)} (user_name, server, kernel, t, cpu, memory, cpu_from)
      select s.user_name, s.server, s.kernel, u.t, u.cpu, u.memory, u.cpu_from from ${sql.table(table)} u join usage_series s on s.id = u.series`.execute(db);
    await db.schema.dropTable(table).execute();
    await db.schema.alterTable(prev).renameTo(table).execute();
    await db.schema.createIndex(`${table}_t`).on(table).column('t').execute();
    if (FOLDED.has(table)) await db.schema.createIndex(`${table}_kernel_t`).on(table).columns(['kernel', 't']).execute();
  }
  await db.schema.dropTable('usage_series').execute();
};
