import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The Python environment of the test apps that are not Jupyter (Streamlit, butterfly), found the way
 * scripts/install-deps.sh --test installs it: NBHUB_TEST_APPS_ENV, else $XDG_DATA_HOME/nbhub/apps, else
 * ~/.local/share/nbhub/apps. Undefined when it is not there (the tests that need it say so and skip).
 */
export const appsEnv = (): string | undefined => {
  const dir =
    process.env['NBHUB_TEST_APPS_ENV'] ||
    join(process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share'), 'nbhub', 'apps');
  return existsSync(join(dir, 'bin', 'python')) ? dir : undefined;
};

/** Why the app tests skip, when they do. */
export const APPS_MISSING = 'the test apps (Streamlit, butterfly) are not installed: run scripts/install-deps.sh --test';

/** A program of the apps environment (`streamlit`, `butterfly.server.py`). */
export const appsBin = (env: string, name: string): string => join(env, 'bin', name);
