import type { ServerRecord } from '../core/models.js';
import type { KernelNotebook, ServerRepo, Store, UsageQuery, UsageRepo, UsageRow } from '../core/store.js';

/**
 * What only tests and benches ask of a store, apart from the production interfaces (core/store.ts): writing
 * samples and server records directly, and reading usage row by row. Both stores implement it.
 */
export interface UsageTestRepo {
  /** Stores a batch of samples and folds it into every rollup, in one transaction. Repeating a batch changes nothing. */
  write(rows: readonly UsageRow[]): Promise<void>;
  /** Remembers which notebooks a kernel served (from the runtime's sessions). */
  noteNotebooks(rows: readonly KernelNotebook[], at: number): Promise<void>;
  /** Rows in range, ordered by series then time: what UsageRepo.series packs. */
  query(q: UsageQuery): Promise<UsageRow[]>;
}

export interface ServerTestRepo {
  listByUser(user: string): Promise<ServerRecord[]>;
  /** Insert or replace the whole record, as it is (no version check). */
  put(record: ServerRecord): Promise<void>;
}

export interface TestStore extends Store {
  readonly servers: ServerRepo & ServerTestRepo;
  readonly usage: UsageRepo & UsageTestRepo;
}

/** A migrated SQLite store in memory, for tests of the modules above the store (closed by the caller). */
export const memoryStore = async (): Promise<TestStore> => {
  const { createSqliteStore } = await import('./sqlite/sqlite-store.js');
  const store = createSqliteStore(':memory:');
  await store.migrate();
  return store;
};
