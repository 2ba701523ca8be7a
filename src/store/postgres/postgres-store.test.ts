import pg from 'pg';
import { monitoringStoreContract } from '../monitoring.contract.js';
import { storeContract } from '../store.contract.js';
import { createPostgresStore } from './postgres-store.js';

// A fresh database per run on the machine's PostgreSQL (127.0.0.1:5432, trust auth).
const ADMIN_URL = process.env['NBHUB_TEST_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const openPostgres = async () => {
  const name = `nbhub_test_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    store: createPostgresStore(url.toString()),
    cleanup: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
};

storeContract('postgres', openPostgres);
monitoringStoreContract('postgres', openPostgres);
