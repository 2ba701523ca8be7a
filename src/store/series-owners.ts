import { sql, type Kysely } from 'kysely';
import { RESOLUTIONS } from '../core/store.js';
import { USAGE_TABLE, type Database } from './schema.js';
import { conflictClause } from './bulk.js';
import type { StoreDialect } from './dialect.js';
import { moveEpoch } from './series-epoch.js';
import { NOTEBOOKS, usageSpec } from './usage-repo.js';

const hasSeries = async (tx: Kysely<Database>, user: string) =>
  (await tx.selectFrom('usage_series').select('id').where('user_name', '=', user).limit(1).executeTakeFirst()) !== undefined;

/**
 * Inside the caller's rename transaction: `from`'s usage series and kernel notebooks become `to`'s. Series
 * are renamed in place (their rows stay); one that `to` already has (late samples written under that name)
 * is merged into it, rows meeting rows of the same time folded as writes fold them (the stored raw row
 * stays), and its series row deleted.
 */
export const renameUsage = async (tx: Kysely<Database>, dialect: StoreDialect, from: string, to: string): Promise<void> => {
  // No series: none to rename, and no instance remembers an id of one (the epoch stays). Else the epoch moves
  // before anything a writer also writes (notebooks) is touched: a writer holding the epoch would otherwise
  // wait for rows this holds while this waits for the epoch.
  const series = await hasSeries(tx, from);
  if (series) await moveEpoch(tx, dialect);
  await sql`insert into kernel_notebooks (user_name, server, kernel, notebook, last_seen)
    select ${to}, server, kernel, notebook, last_seen from kernel_notebooks where user_name = ${from}
    ${sql.raw(conflictClause(NOTEBOOKS, dialect.fold))}`.execute(tx);
  await tx.deleteFrom('kernel_notebooks').where('user_name', '=', from).execute();
  if (!series) return;
  const pairs = sql`select f.id as f, t.id as t from usage_series f
    join usage_series t on t.user_name = ${to} and t.server = f.server and t.kernel = f.kernel where f.user_name = ${from}`;
  for (const r of RESOLUTIONS) {
    const table = USAGE_TABLE[r];
    // As writes meet stored rows: the stored raw row stays, rollups fold. `where true`: SQLite would read the
    // ON of the upsert as the join's.
    await sql`insert into ${sql.table(table)} (series, t, cpu_from, cpu, memory)
      select p.t, u.t, u.cpu_from, u.cpu, u.memory from ${sql.table(table)} u join (${pairs}) p on u.series = p.f where true
      ${sql.raw(conflictClause(usageSpec(r, 'keep'), dialect.fold))}`.execute(tx);
    await sql`delete from ${sql.table(table)} where series in (select f from (${pairs}) p)`.execute(tx);
  }
  await sql`delete from usage_series where id in (select f from (${pairs}) p)`.execute(tx);
  await tx.updateTable('usage_series').set({ user_name: to }).where('user_name', '=', from).execute();
};

/** Inside the caller's delete transaction: `user`'s usage series, their rows at every resolution, and kernel notebooks. */
export const deleteUsage = async (tx: Kysely<Database>, dialect: StoreDialect, user: string): Promise<void> => {
  // As for a rename: the epoch first, when there are series.
  const series = await hasSeries(tx, user);
  if (series) await moveEpoch(tx, dialect);
  await tx.deleteFrom('kernel_notebooks').where('user_name', '=', user).execute();
  if (!series) return;
  for (const r of RESOLUTIONS) {
    await tx
      .deleteFrom(USAGE_TABLE[r])
      .where('series', 'in', (eb) => eb.selectFrom('usage_series').select('id').where('user_name', '=', user))
      .execute();
  }
  await tx.deleteFrom('usage_series').where('user_name', '=', user).execute();
};
