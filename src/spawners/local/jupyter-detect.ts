import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { HUB_IDENTITY_PROVIDER } from './jupyter-identity.js';

/** What the default profile runs when none is configured, and how the console names it. */
export interface DetectedJupyter {
  command: string[];
  /** e.g. "JupyterLab 4.6.6", "Jupyter Notebook 6.4.12 (Debian)". */
  label: string;
  /** Put first on the runtime's PATH (the environment's bin), so its kernels and terminals use it too. */
  binDir?: string;
  /** jupyter_server with nbhub's identity provider (jupyter-identity.ts): it is given a hash, never the secret. */
  hubIdentity?: boolean;
}

/** Where to look: injected, so detection is a pure function of what exists. */
export interface JupyterLookup {
  /** The Python environment scripts/install-deps.sh fills (config spawner.jupyter_env). */
  envDir: string;
  /** An executable by name on PATH, or undefined. */
  which: (program: string) => string | undefined;
  /** The version of a Python distribution installed under a site-packages folder, or undefined. */
  version: (sitePackages: string, dist: string) => string | undefined;
  isExecutable: (path: string) => boolean;
  /** Folders of `<envDir>/lib/python3.*\/site-packages`. */
  sitePackagesOf: (envDir: string) => string[];
  asRoot: boolean;
}

export const JUPYTER_MISSING =
  'No Jupyter is installed for the default profile. Run scripts/install-deps.sh (JupyterLab 4 into spawner.jupyter_env), or apt-get install -y jupyter-notebook python3-jupyter-server python3-ipykernel, or configure profiles.default.command.';

const DEBIAN_SITE = '/usr/lib/python3/dist-packages';
const common = ['--no-browser', '--ip={ip}', '--port={port}'];
// port_retries=0: a runtime whose port was taken exits (and is started again on another port by the
// lifecycle) instead of serving on a port the hub does not know.
const serverApp = (sub: string) => [
  sub,
  ...common,
  '--ServerApp.port_retries=0',
  '--ServerApp.base_url={base_url}',
  '--ServerApp.root_dir={workspace}',
  `--ServerApp.identity_provider_class=${HUB_IDENTITY_PROVIDER}`,
];
const notebookApp = ['notebook', ...common, '--NotebookApp.port_retries=0', '--NotebookApp.base_url={base_url}', '--NotebookApp.notebook_dir={workspace}'];

const named = (name: string, version: string | undefined, where = '') => `${name}${version ? ` ${version}` : ''}${where}`;

/** The order of issue 13: the nbhub environment, any jupyter-lab on PATH, Debian's notebook, jupyter server. */
export const detectJupyter = (l: JupyterLookup): DetectedJupyter | undefined => {
  const root = l.asRoot ? ['--allow-root'] : [];
  const envBin = join(l.envDir, 'bin');
  const envJupyter = join(envBin, 'jupyter');
  if (l.isExecutable(join(envBin, 'jupyter-lab'))) {
    const v = l.sitePackagesOf(l.envDir).map((s) => l.version(s, 'jupyterlab')).find(Boolean);
    return { command: [envJupyter, ...serverApp('lab'), ...root], label: named('JupyterLab', v), binDir: envBin, hubIdentity: true };
  }
  const lab = l.which('jupyter-lab');
  if (lab) return { command: ['jupyter', ...serverApp('lab'), ...root], label: named('JupyterLab', undefined, ` (${lab})`), hubIdentity: true };
  if (l.which('jupyter-notebook')) {
    const v = l.version(DEBIAN_SITE, 'notebook');
    return { command: ['jupyter', ...notebookApp, ...root], label: named('Jupyter Notebook', v, v ? ' (Debian)' : '') };
  }
  if (l.which('jupyter-server')) {
    const v = l.version(DEBIAN_SITE, 'jupyter_server');
    return { command: ['jupyter', ...serverApp('server'), ...root], label: named('Jupyter Server', v), hubIdentity: true };
  }
  return undefined;
};

const which = (program: string, path = process.env['PATH'] ?? ''): string | undefined => {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, program);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
};

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

const list = (dir: string): string[] => {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
};

/** From the metadata folder's name (`jupyterlab-4.6.6.dist-info`, `notebook-6.4.12.egg-info`): no Python run. */
const distVersion = (sitePackages: string, dist: string): string | undefined => {
  const prefix = `${dist.replace(/-/g, '_')}-`;
  for (const entry of list(sitePackages)) {
    const m = /^(.+?)-([^-]+?)(?:-py[\d.]+)?\.(?:dist|egg)-info$/.exec(entry);
    if (m && `${(m[1] as string).replace(/-/g, '_').toLowerCase()}-` === prefix.toLowerCase()) return m[2];
  }
  return undefined;
};

const sitePackagesOf = (envDir: string): string[] =>
  list(join(envDir, 'lib'))
    .filter((d) => d.startsWith('python3'))
    .map((d) => join(envDir, 'lib', d, 'site-packages'));

/** The machine as it is. */
export const systemLookup = (envDir: string): JupyterLookup => ({
  envDir,
  which: (p) => which(p),
  version: distVersion,
  isExecutable,
  sitePackagesOf,
  asRoot: process.getuid?.() === 0,
});
