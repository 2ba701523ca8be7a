import { readdirSync, readlinkSync } from 'node:fs';
import { readProcTable } from './read.js';

const LISTEN = '0A';

/**
 * The inodes of the sockets listening on `port` in a /proc/net/tcp or tcp6 table (pure). Each line after the
 * header: `sl local_address rem_address st … uid timeout inode …`, the local address as `HEXADDR:HEXPORT`.
 */
export const listeningInodes = (table: string, port: number, address?: (hex: string) => boolean): number[] => {
  const out: number[] = [];
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const local = f[1];
    if (!local || f[3] !== LISTEN) continue;
    const colon = local.lastIndexOf(':');
    if (parseInt(local.slice(colon + 1), 16) === port && (!address || address(local.slice(0, colon)))) out.push(Number(f[9]));
  }
  return out;
};

/**
 * The addresses, as /proc/net/tcp{,6} write them, whose listener takes a connection to 127.0.0.1: 127.0.0.1
 * itself, any address, and IPv6's any and ::ffff:127.0.0.1 (dual-stack sockets).
 */
const TAKES_LOOPBACK = new Set(['0100007F', '00000000', '00000000000000000000000000000000', '0000000000000000FFFF00000100007F']);

export const takesLoopback = (hex: string): boolean => TAKES_LOOPBACK.has(hex.toUpperCase());

/** Sockets that may accept a connection to 127.0.0.1:`port` (IPv4 and dual-stack IPv6), by inode. */
export const loopbackListeners = (port: number): number[] => [
  ...listeningInodes(readProcTable('/proc/net/tcp') ?? '', port, takesLoopback),
  ...listeningInodes(readProcTable('/proc/net/tcp6') ?? '', port, takesLoopback),
];

/** Sockets listening on a TCP port of this network namespace (IPv4 and IPv6), by inode; the tables are read whole. */
export const tcpListeners = (port: number): number[] => [
  ...listeningInodes(readProcTable('/proc/net/tcp') ?? '', port),
  ...listeningInodes(readProcTable('/proc/net/tcp6') ?? '', port),
];

/**
 * Which of `inodes` process `pid` has open (its `socket:[N]` links under /proc/PID/fd), stopping at the first
 * when `first`; none when unreadable.
 */
export const heldSockets = (pid: number, inodes: ReadonlySet<number>, first = false): number[] => {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const fd of fds) {
    let link: string;
    try {
      link = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue;
    }
    if (!link.startsWith('socket:[')) continue;
    const inode = Number(link.slice(8, -1));
    if (!inodes.has(inode)) continue;
    out.push(inode);
    if (first) break;
  }
  return out;
};

/** Whether process `pid` has one of `inodes` open (a `socket:[N]` link under /proc/PID/fd); false when unreadable. */
export const holdsSocket = (pid: number, inodes: ReadonlySet<number>): boolean => heldSockets(pid, inodes, true).length > 0;
