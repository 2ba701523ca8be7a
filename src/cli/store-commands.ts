import { readFileSync } from 'node:fs';
import { createToken } from '../accounts/tokens.js';
import { addUser } from '../accounts/users.js';
import { loadConfig } from '../config/load.js';
import { systemClock } from '../core/clock.js';
import { HubError } from '../core/errors.js';
import { cryptoIds } from '../core/ids.js';
import { openStore } from './implementations.js';

export interface StoreFlags {
  config?: string;
  dataDir?: string;
}

/** Opens the store the hub uses (same config), for commands that run beside it. */
const withStore = async <T>(flags: StoreFlags, env: NodeJS.ProcessEnv, work: (s: Awaited<ReturnType<typeof openStore>>) => Promise<T>): Promise<T> => {
  const config = loadConfig({ file: flags.config ?? env['NBHUB_CONFIG'], env, overrides: flags.dataDir ? { data_dir: flags.dataDir } : {} });
  const store = await openStore(config);
  try {
    return await work(store);
  } finally {
    await store.close();
  }
};

export const userAddCommand = async (name: string, flags: StoreFlags & { admin?: boolean; passwordStdin?: boolean }, env: NodeJS.ProcessEnv): Promise<void> => {
  const password = flags.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : undefined;
  await withStore(flags, env, async (store) => {
    try {
      await addUser({ store, clock: systemClock }, name, { admin: flags.admin ?? false, password });
    } catch (err) {
      if (err instanceof HubError) throw new Error(err.message);
      throw err;
    }
  });
  process.stderr.write(`added ${flags.admin ? 'admin' : 'user'} ${name}${password === undefined ? ' (no password: log in with a token, or set one)' : ''}\n`);
};

export const tokenCreateCommand = async (name: string, flags: StoreFlags & { note?: string }, env: NodeJS.ProcessEnv): Promise<void> => {
  const token = await withStore(flags, env, async (store) => {
    try {
      return (await createToken({ store, clock: systemClock, ids: cryptoIds }, name, { note: flags.note ?? 'nbhub token create' })).token;
    } catch (err) {
      if (err instanceof HubError) throw new Error(err.message);
      throw err;
    }
  });
  process.stdout.write(token + '\n');
};
