import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { ProfileConfig } from '../../config/schema.js';

/** A profile with its command decided: what the local spawner runs. */
export interface ResolvedProfile {
  name: string;
  displayName: string;
  command: string[];
  environment: Record<string, string>;
  readinessPath: string;
  startTimeoutSeconds: number;
  /** Jupyter runtimes take the token from JUPYTER_TOKEN rather than the command line (visible in ps). */
  jupyter: boolean;
}

export const which = (program: string, path = process.env['PATH'] ?? ''): string | undefined => {
  for (const dir of path.split(delimiter)) {
    const candidate = join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
};

export const JUPYTER_MISSING =
  'No Jupyter is installed for the default profile. Install one: apt-get install -y jupyter-notebook python3-jupyter-server python3-ipykernel (or JupyterLab), or configure profiles.default.command.';

const common = ['--no-browser', '--ip={ip}', '--port={port}'];

/** JupyterLab if installed, else the classic notebook, else jupyter server (the order). */
export const detectJupyterCommand = (find: (p: string) => string | undefined = which): string[] | undefined => {
  const root = process.getuid?.() === 0 ? ['--allow-root'] : [];
  if (find('jupyter-lab'))
    return ['jupyter', 'lab', ...common, ...root, '--ServerApp.port_retries=0', '--ServerApp.base_url={base_url}', '--ServerApp.root_dir={workspace}'];
  if (find('jupyter-notebook'))
    return ['jupyter', 'notebook', ...common, ...root, '--NotebookApp.port_retries=0', '--NotebookApp.base_url={base_url}', '--NotebookApp.notebook_dir={workspace}'];
  if (find('jupyter-server'))
    return ['jupyter', 'server', ...common, ...root, '--ServerApp.port_retries=0', '--ServerApp.base_url={base_url}', '--ServerApp.root_dir={workspace}'];
  return undefined;
};

export const resolveProfile = (
  name: string,
  profile: ProfileConfig,
  find: (p: string) => string | undefined = which,
): ResolvedProfile | { name: string; error: string } => {
  const command = profile.command.length > 0 ? profile.command : detectJupyterCommand(find);
  if (!command) return { name, error: JUPYTER_MISSING };
  return {
    name,
    displayName: profile.display_name || name,
    command,
    environment: profile.environment,
    readinessPath: profile.readiness_path,
    startTimeoutSeconds: profile.start_timeout_seconds,
    jupyter: command[0] === 'jupyter' || /jupyter/.test(command[0] ?? ''),
  };
};

export const expand = (arg: string, values: Record<string, string>): string =>
  arg.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
