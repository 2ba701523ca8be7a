import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One container as a local process group: a small sh wrapper, run in its own mount namespace (unshare
 * --mount --propagation private), joins the container's cgroups, bind-mounts each volume at its mountPath
 * (read-only remounted where asked), changes to workingDir and execs the command. Output goes to
 * <podDir>/<container>.log; the pid is kept in <podDir>/<container>.pid so a restarted kubelet can end it.
 */
export type Mount = { source: string; target: string; readOnly: boolean };

export type ContainerSpec = {
  podDir: string;
  name: string;
  argv: string[];
  env: Record<string, string>;
  workingDir: string | undefined;
  mounts: Mount[];
  cgroupProcs: string[];
};

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

const which = (cmd: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || cmd;
  } catch {
    return cmd;
  }
};
const BIN = { mount: which('mount'), mkdir: which('mkdir'), unshare: which('unshare') };

/** Null when this machine lets us make mount namespaces; else why not (pods with mounts then fail). */
export const mountNamespacesUsable = (): string | null => {
  try {
    execFileSync(BIN.unshare, ['--mount', '--propagation', 'private', 'true'], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `unshare --mount failed: ${((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim()}`;
  }
};

export const wrapperScript = (spec: Pick<ContainerSpec, 'mounts' | 'cgroupProcs' | 'workingDir'>) => {
  const lines = ['set -e'];
  for (const f of spec.cgroupProcs) lines.push(`echo $$ > ${q(f)}`);
  for (const m of spec.mounts) {
    lines.push(`${BIN.mkdir} -p ${q(m.target)}`);
    lines.push(`${BIN.mount} --bind ${q(m.source)} ${q(m.target)}`);
    if (m.readOnly) lines.push(`${BIN.mount} -o remount,bind,ro ${q(m.target)}`);
  }
  if (spec.workingDir) lines.push(`${BIN.mkdir} -p ${q(spec.workingDir)}`, `cd ${q(spec.workingDir)}`);
  lines.push('exec "$@"');
  return `${lines.join('\n')}\n`;
};

export const startContainer = (spec: ContainerSpec): ChildProcess => {
  mkdirSync(spec.podDir, { recursive: true });
  const wrapper = join(spec.podDir, `${spec.name}.sh`);
  writeFileSync(wrapper, wrapperScript(spec));
  const log = openSync(join(spec.podDir, `${spec.name}.log`), 'a');
  try {
    const child = spawn(BIN.unshare, ['--mount', '--propagation', 'private', '--', '/bin/sh', wrapper, ...spec.argv], {
      env: spec.env,
      stdio: ['ignore', log, log],
      detached: true, // its own process group: signals reach what it starts too
    });
    if (child.pid) writeFileSync(join(spec.podDir, `${spec.name}.pid`), String(child.pid));
    return child;
  } finally {
    closeSync(log);
  }
};
