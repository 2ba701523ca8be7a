import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the local spawner keeps what a runtime leaves on disk besides its workspace: its handle, its output,
 * its Jupyter runtime dir, and its named apps' handles and output. One place decides every path, so a new
 * layout (logs per start, issue 18) changes this file only.
 */
export const stateDirOf = (dataDir: string, user: string, server: string): string =>
  join(dataDir, 'runtimes', user, server === '' ? '_default' : server);

/** Output of a named app of the runtime, appended to across its starts. */
export const appLogPath = (stateDir: string, app: string): string => join(stateDir, 'apps', `${app}.log`);

/** Handle of a named app launched for the runtime, kept so a restarted hub adopts it and stops it with the runtime. */
export const appHandlePath = (stateDir: string, app: string): string => join(stateDir, 'apps', `${app}.json`);

/** The handle files of the named apps launched for the runtime. */
export const appHandleFiles = (stateDir: string): string[] => {
  try {
    return readdirSync(join(stateDir, 'apps'))
      .filter((f) => f.endsWith('.json'))
      .map((f) => join(stateDir, 'apps', f));
  } catch {
    return [];
  }
};
