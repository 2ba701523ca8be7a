import type { Kysely, RawBuilder, TransactionBuilder } from 'kysely';
import type { ServerRepo, StoreCapabilities, UsageQuery } from '../core/store.js';
import type { Bulk } from './bulk.js';
import type { Database, ExecutionsTable } from './schema.js';

/** How an upsert folds a column: the smaller or the larger of the stored and the new value. */
export type Fold = (op: 'min' | 'max', excluded: string, current: string) => string;

/**
 * Everything that differs between the databases the store runs on, in one object per database (kysely's
 * Dialect and DialectAdapter): the shared repos call it and never ask which database it is. sqlite/ and
 * postgres/ each implement it.
 */
export interface StoreDialect {
  /** For display only. */
  readonly kind: 'sqlite' | 'postgres';
  readonly capabilities: StoreCapabilities;
  isUniqueViolation(err: unknown): boolean;
  /** Many-row inserts, and a guarded batch (all or nothing behind a compare-and-set). */
  readonly bulk: Bulk;
  /** An upsert's fold of one column (its ON CONFLICT … DO UPDATE SET expression). */
  readonly fold: Fold;
  /** Inserts or replaces execution rows (in this order: a row given twice ends as its last version), in one transaction. */
  putExecutions(db: Kysely<Database>, rows: readonly ExecutionsTable[]): Promise<void>;

  /** The change mark (server-changes.ts): a stamp below which nothing can commit any more. */
  changeMark(db: Kysely<Database>): Promise<number>;
  /** A transaction that reads one snapshot throughout. */
  snapshot(db: Kysely<Database>): TransactionBuilder<Database>;
  /** Announces new server versions to other instances; absent where no other instance can share the store. */
  readonly watchServers?: ServerRepo['watch'];

  /** The usage series epoch (series-epoch.ts): taken first by a transaction that moves it. */
  lockEpoch(tx: Kysely<Database>): Promise<void>;
  /** The condition that the epoch is still `epoch`, for a statement that writes usage rows. */
  epochHolds(epoch: number): RawBuilder<boolean>;
  /** Deletes a usage table's rows older than `before`; returns the series that lost rows (each at least once). */
  deleteOlderSeries(db: Kysely<Database>, table: string, before: number): Promise<number[]>;
  /** The statement behind UsageRepo.series: one row per series with rows in range, columns as JSON arrays. */
  seriesSql(q: UsageQuery): RawBuilder<unknown>;
  /** Stops what the dialect runs beside the connection, after it is closed. */
  close?(): Promise<void>;
}
