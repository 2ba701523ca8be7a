import { sql, type Kysely } from 'kysely';

const TABLES = ['usage_raw', 'usage_1m', 'usage_1h'] as const;
const DAY_MS = 86_400_000;

/**
 * Every usage row gets `cpu_from`, the series' counter just before the row's first sample, so a row's
 * CPU is `cpu - cpu_from` without reading the row before it (which made wide queries scan all history),
 * and a daily rollup for month-long and year-long ranges.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of TABLES) {
    await db.schema.alterTable(table).addColumn('cpu_from', 'double precision', (c) => c.notNull().defaultTo(0)).execute();
    // Until now a row's CPU was its counter minus the previous row's (a lower counter: a restart from 0).
    await sql`
      update ${sql.table(table)} set cpu_from = coalesce((
        select case when p.cpu > ${sql.ref(`${table}.cpu`)} then 0 else p.cpu end
        from ${sql.table(table)} p
        where p.user_name = ${sql.ref(`${table}.user_name`)} and p.server = ${sql.ref(`${table}.server`)}
          and p.kernel = ${sql.ref(`${table}.kernel`)} and p.t < ${sql.ref(`${table}.t`)}
        order by p.t desc limit 1), cpu)`.execute(db);
  }
  await db.schema
    .createTable('usage_1d')
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('server', 'text', (c) => c.notNull())
    .addColumn('kernel', 'text', (c) => c.notNull())
    .addColumn('t', 'bigint', (c) => c.notNull())
    .addColumn('cpu_from', 'double precision', (c) => c.notNull())
    .addColumn('cpu', 'double precision', (c) => c.notNull())
    .addColumn('memory', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('usage_1d_pk', ['user_name', 'server', 'kernel', 't'])
    .execute();
  await db.schema.createIndex('usage_1d_t').on('usage_1d').column('t').execute();
  // A day's CPU is the sum of its hours' (a counter restart inside the day breaks a plain min and max).
  await sql`
    insert into usage_1d (user_name, server, kernel, t, cpu_from, cpu, memory)
    select user_name, server, kernel, (t / ${sql.lit(DAY_MS)}) * ${sql.lit(DAY_MS)}, max(cpu) - sum(cpu - cpu_from), max(cpu), max(memory)
    from usage_1h group by user_name, server, kernel, (t / ${sql.lit(DAY_MS)}) * ${sql.lit(DAY_MS)}`.execute(db);
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.dropTable('usage_1d').execute();
  for (const table of TABLES) await db.schema.alterTable(table).dropColumn('cpu_from').execute();
};
