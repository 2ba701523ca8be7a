import { readdirSync, readlinkSync } from 'node:fs';
import { readProcTable } from './read.js';

const LISTEN = '0A';

/**
 * The inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 table (pure). Each line after the
 * header: `sl local_address rem_address st … uid timeout inode …`, the local address as `HEXADDR:HEXPORT`.
 */
export const listeningInodes = (table: string, port: number): number[] => {
  const out: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (!local || f[3] !== LISTEN) continue;
    if (parseInt(local.slice(local.lastIndexOf(':') + 1), 16) === port) out.push(Number(f[9]));
  }
  return out;
};

/** Sockets listening on a TCP port of this network namespace (IPv4 and IPv6), by inode; the tables are read whole. */
export const tcpListeners = (port: number): number[] => [
  ...listeningInodes(readProcTable('/proc/net/tcp') ?? '', port),
  ...listeningInodes(readProcTable('/proc/net/tcp6') ?? '', port),
];

/** Whether process `pid` has one of `inodes` open (a `socket:[N]` link under /proc/PID/fd); false when unreadable. */
export const holdsSocket = (pid: number, inodes: ReadonlySet<number>): boolean => {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (link.startsWith('socket:[') && inodes.has(Number(link.slice(8, -1)))) return true;
  }
  return false;
};
