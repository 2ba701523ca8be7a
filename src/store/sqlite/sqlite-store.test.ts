import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from '../store.contract.js';
import { createSqliteStore } from './sqlite-store.js';

storeContract('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-store-'));
  return { store: createSqliteStore(join(dir, 'hub.sqlite')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});
