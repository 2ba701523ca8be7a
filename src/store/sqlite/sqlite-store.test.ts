import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract } from '../store.contract.js';
import { createSqliteStore } from './sqlite-store.js';

const openSqlite = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-store-'));
  return { store: createSqliteStore(join(dir, 'hub.sqlite')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
};

storeContract('sqlite', openSqlite);
monitoringStoreContract('sqlite', openSqlite);
