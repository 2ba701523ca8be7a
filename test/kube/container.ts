import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One container as a local process group: a small sh wrapper, run in its own mount namespace (unshare
 * --mount --propagation private), joins the container's cgroups, bind-mounts each volume at its mountPath
 * (staged first, parents first; read-only remounted where asked), changes to workingDir and execs the command. Output goes to
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
  /** Host folders that stand for the image's own files (images.ts imageDirs): bound back, read-only, over any volume that covers them. */
  imageDirs?: string[];
};

const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

const which = (cmd: string) => {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || cmd;
  } catch {
    return cmd;
  }
};
const BIN = { mount: which('mount'), umount: which('umount'), mkdir: which('mkdir'), unshare: which('unshare') };

/** Null when this machine lets us make mount namespaces; else why not (pods with mounts then fail). */
export const mountNamespacesUsable = (): string | null => {
  try {
    execFileSync(BIN.unshare, ['--mount', '--propagation', 'private', 'true'], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `unshare --mount failed: ${((err as { stderr?: Buffer }).stderr?.toString() || (err as Error).message).trim()}`;
  }
};

const isUnder = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/**
 * Where the wrapper stages the volume sources: a folder no mountPath covers or sits in, so mounting one volume
 * (an emptyDir at /tmp) cannot hide the source of another (a secret under the node's folder in /tmp). The pod's
 * own folder when nothing is mounted over it, else the first system folder that no mountPath touches.
 */
export const stagingDir = (podDir: string, name: string, targets: string[]) => {
  const free = (d: string) => !targets.some((t) => isUnder(d, t) || isUnder(t, d));
  return [join(podDir, '.stage', name), '/mnt', '/srv', '/media', '/opt', '/run'].find(free);
};

/** Parents before children (as runc sorts mounts by destination), so a volume at /a never hides one at /a/b. */
const byDepth = (mounts: Mount[]) => [...mounts].sort((a, b) => a.target.split('/').filter(Boolean).length - b.target.split('/').filter(Boolean).length);

export const wrapperScript = (spec: Pick<ContainerSpec, 'mounts' | 'cgroupProcs' | 'workingDir' | 'podDir' | 'name' | 'imageDirs'>) => {
  const lines = ['set -e'];
  for (const f of spec.cgroupProcs) lines.push(`echo $$ > ${q(f)}`);
  const covered = (spec.imageDirs ?? []).filter((d) => spec.mounts.some((m) => isUnder(d, m.target) && d !== m.target));
  const mounts = byDepth([...spec.mounts, ...covered.map((d) => ({ source: d, target: d, readOnly: true }))]);
  if (mounts.length) {
    const stage = stagingDir(spec.podDir, spec.name, mounts.map((m) => m.target));
    if (!stage) throw new Error(`container ${spec.name}: no folder to stage its volume mounts in (every candidate is under a mountPath)`);
    // 1. Every source bound into a private tmpfs first, while all of them are still visible.
    lines.push(`${BIN.mkdir} -p ${q(stage)}`, `${BIN.mount} -t tmpfs -o size=64k,mode=700 nbhub-stage ${q(stage)}`);
    mounts.forEach((m, i) => {
      const s = q(`${stage}/${i}`);
      lines.push(`if [ -d ${q(m.source)} ]; then ${BIN.mkdir} ${s}; else : > ${s}; fi`, `${BIN.mount} --bind ${q(m.source)} ${s}`);
    });
    // 2. Then each target from its staged copy, parents first; 3. the staging tmpfs goes, the targets stay.
    mounts.forEach((m, i) => {
      const s = q(`${stage}/${i}`);
      lines.push(`if [ -d ${s} ]; then ${BIN.mkdir} -p ${q(m.target)}; elif [ ! -e ${q(m.target)} ]; then ${BIN.mkdir} -p "$(dirname ${q(m.target)})"; : > ${q(m.target)}; fi`);
      lines.push(`${BIN.mount} --bind ${s} ${q(m.target)}`);
      if (m.readOnly) lines.push(`${BIN.mount} -o remount,bind,ro ${q(m.target)}`);
    });
    lines.push(`${BIN.umount} -R ${q(stage)}`);
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
