// Simulated runtimes as real, lightweight process trees, for bench/monitoring: per runtime a root process
// (`sleep` named "jupyter-notebook --bench-runtime=<i>") with K children named like Jupyter kernels
// ("python3 -m ipykernel_launcher -f <dir>/kernel-<uuid>.json"), so the sampler finds kernel ids on their
// command lines exactly as with real kernels. One bash launcher per batch forks them (a subshell per
// runtime forks its kernels, then execs into the root, so the kernels stay its children). Every process
// inherits BENCH_RUN_MARK, and the sleeps end by themselves after an hour if clean-up never ran.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, spawnTracked, tmpDir } from './proc.mjs';

const readChildren = () => {
  // ppid -> [pid] over the whole machine (one pass over /proc/*/stat)
  const byParent = new Map();
  for (const name of readdirSafe()) {
    let s;
    try {
      s = readFileSync(`/proc/${name}/stat`, 'latin1');
    } catch {
      continue;
    }
    const ppid = Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]);
    const list = byParent.get(ppid);
    if (list) list.push(Number(name));
    else byParent.set(ppid, [Number(name)]);
  }
  return byParent;
};
const readdirSafe = () => readdirSync('/proc').filter((n) => n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57);

/**
 * Starts `count` runtimes numbered from `first` (users u<first>…), each with `kernels` kernel processes.
 * With `hubId`, each tree carries the spawner's marker (NBHUB_RUNTIME=u<i>/, NBHUB_HUB=<hubId>) as a runtime
 * of that hub does, so `nbhub agent` finds it. Resolves [{ index, user, server: '', rootPid, kernelIds,
 * launcherPid }] once every tree is complete.
 */
export const spawnRuntimeTrees = async ({ first = 1, count, kernels = 3, name = `runtimes-${first}`, timeoutMs = 120_000, hubId }) => {
  const dir = tmpDir(name);
  const list = Array.from({ length: count }, (_, i) => ({ index: first + i, kernelIds: Array.from({ length: kernels }, () => randomUUID()) }));
  writeFileSync(join(dir, 'list'), list.map((r) => `${r.index} ${r.kernelIds.join(' ')}`).join('\n') + '\n');
  const vars = Array.from({ length: kernels }, (_, k) => `k${k}`);
  const kernelForks = vars.map((v) => `(exec -a "python3 -m ipykernel_launcher -f ${dir}/kernel-$${v}.json" sleep 3600) &`).join('\n      ');
  const script = `
while read -r i ${vars.join(' ')}; do
  (
      ${hubId ? `export NBHUB_RUNTIME="u$i/" NBHUB_HUB="${hubId}"` : ''}
      ${kernelForks}
      echo "$i $BASHPID" >> "${dir}/roots"
      exec -a "jupyter-notebook --bench-runtime=$i" sleep 3600
  ) &
done < "${dir}/list"
wait
`;
  const launcher = spawnTracked('bash', ['-c', script], { log: join(dir, 'launcher.log') });
  const deadline = Date.now() + timeoutMs;
  const roots = new Map();
  for (;;) {
    if (existsSync(join(dir, 'roots'))) {
      for (const line of readFileSync(join(dir, 'roots'), 'utf8').split('\n')) {
        const [i, pid] = line.split(' ').map(Number);
        if (pid) roots.set(i, pid);
      }
    }
    if (roots.size === count) {
      const children = readChildren();
      const incomplete = list.filter((r) => (children.get(roots.get(r.index)) ?? []).length < kernels);
      if (incomplete.length === 0) break;
    }
    if (Date.now() > deadline) throw new Error(`runtime trees: ${roots.size}/${count} roots after ${timeoutMs} ms`);
    await sleep(200);
  }
  // Roots and kernels exec after forking: wait until every command line is the final one (the sampler
  // caches a process's kernel id, or its absence, by pid and start time).
  const cmdStarts = (pid, prefix) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1').startsWith(prefix);
    } catch {
      return false;
    }
  };
  for (;;) {
    const children = readChildren();
    const pending = list.filter((r) => {
      const root = roots.get(r.index);
      const kids = children.get(root) ?? [];
      return !cmdStarts(root, 'jupyter-notebook') || kids.length < kernels || !kids.every((k) => cmdStarts(k, 'python3 -m ipykernel_launcher'));
    });
    if (pending.length === 0) break;
    if (Date.now() > deadline) throw new Error(`runtime trees: ${pending.length} roots did not exec`);
    await sleep(100);
  }
  return list.map((r) => ({ index: r.index, user: `u${r.index}`, server: '', rootPid: roots.get(r.index), kernelIds: r.kernelIds, launcherPid: launcher.pid }));
};

/** MemAvailable (bytes) from /proc/meminfo. */
export const memAvailable = () => Number(/^MemAvailable:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? NaN) * 1024;
