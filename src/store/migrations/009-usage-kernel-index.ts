import type { Kysely } from 'kysely';

// Month- and year-long queries over everyone ask for the runtimes' own series (kernel '') of the hourly and
// daily rollups, a quarter of their rows: found by kernel and time instead of reading every series' rows in
// the range. Those tables gain a row per series per hour or day; their fold updates change no key column.
const TABLES = ['usage_1h', 'usage_1d'] as const;

export const up = async (db: Kysely<unknown>): Promise<void> => {
  for (const t of TABLES) await db.schema.createIndex(`${t}_kernel_t`).on(t).columns(['kernel', 't']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const t of TABLES) await db.schema.dropIndex(`${t}_kernel_t`).execute();
};
