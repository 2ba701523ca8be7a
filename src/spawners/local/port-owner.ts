import { allProcesses, descendants, environValue, readEnviron } from '../../procfs/proc.js';
import { heldSockets, loopbackListeners } from '../../procfs/sockets.js';

/**
 * Whether every socket that would take a connection to 127.0.0.1:`port` is held by the runtime rooted at
 * `root`: a process of its tree, or one carrying its marker (NBHUB_RUNTIME, and NBHUB_HUB when it has one;
 * named apps run beside the tree with the same marker). Every one, not some: another process sharing the
 * port (SO_REUSEPORT, or one on 127.0.0.1 beside the runtime's on another address) could be given the
 * connection, and on one machine everything else on 127.0.0.1 (the hub, other users' runtimes) is not the user's.
 */
export const runtimeHoldsPort = (root: number, port: number): boolean => {
  const inodes = new Set(loopbackListeners(port));
  if (inodes.size === 0) return false;
  const missing = new Set(inodes);
  const take = (pid: number) => {
    for (const i of heldSockets(pid, inodes)) missing.delete(i);
    return missing.size === 0;
  };
  const all = allProcesses();
  const tree = new Set([root, ...descendants(root, all).map((p) => p.pid)]);
  for (const pid of tree) if (take(pid)) return true;
  const rootEnv = readEnviron(root);
  const marker = rootEnv && environValue(rootEnv, 'NBHUB_RUNTIME');
  if (!rootEnv || !marker) return false;
  const hub = environValue(rootEnv, 'NBHUB_HUB');
  for (const p of all) {
    if (tree.has(p.pid)) continue;
    const env = readEnviron(p.pid);
    if (!env || environValue(env, 'NBHUB_RUNTIME') !== marker || (hub !== null && environValue(env, 'NBHUB_HUB') !== hub)) continue;
    if (take(p.pid)) return true;
  }
  return false;
};
