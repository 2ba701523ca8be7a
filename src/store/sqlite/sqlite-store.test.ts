import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract } from '../store.contract.js';
import { usageSeriesContract } from '../series.contract.js';
import { createSqliteStore } from './sqlite-store.js';

const openSqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-store-'));
  const file = join(dir, 'hub.sqlite');
  return {
    store: createSqliteStore(file),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    // Another process's store on the same file (the CLI beside the hub).
    peer: () => createSqliteStore(file),
    rows: async (query: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare(query).all() as Record<string, unknown>[];
      } finally {
        db.close();
      }
    },
  };
};

storeContract('sqlite', openSqlite);
monitoringStoreContract('sqlite', openSqlite);
usageSeriesContract('sqlite', openSqlite);
