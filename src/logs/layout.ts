import { resolve, sep } from 'node:path';
import type { ClusterLogStream, KeptStream, ServerLogStream } from '../core/logs.js';

/**
 * Where logs live (the one owner of the layout):
 *   data_dir/logs/{user}/{server or _default}/{start}.json            the start's labels (profile, time)
 *   data_dir/logs/{user}/{server or _default}/{start}-runtime.log      the runtime's output
 *   data_dir/logs/{user}/{server or _default}/{start}-app-{app}.log    a named app's, beside its runtime's start
 *   data_dir/logs/_services/{service}/{start}.json and {start}-service.log   a managed service's, per start of its process
 *   data_dir/logs/_clusters/{cluster}/{start}.json and {start}-process-{process}.log   a Spark cluster's, per start,
 *                                                                      one log per process (master, worker-1, …)
 * plus `.1` (the rotated tail) and `.pos` (how far the hub has read, for the feed) after a log's name.
 * {start} is the start's time in ms, as digits, so names sort by age. User names start with a letter or a digit
 * (core/names.ts), so `_services` and `_clusters` are never a user's folder.
 */
export const DEFAULT_SERVER_DIR = '_default';
export const SERVICES_DIR = '_services';
export const CLUSTERS_DIR = '_clusters';

export const logsRoot = (dataDir: string): string => resolve(dataDir, 'logs');

export const userLogDir = (dataDir: string, user: string): string => inside(logsRoot(dataDir), user);

export const serverLogDir = (dataDir: string, user: string, server: string): string =>
  inside(userLogDir(dataDir, user), server === '' ? DEFAULT_SERVER_DIR : server);

/** Names are validated at the API edge; this guards the file system on its own anyway. */
const inside = (root: string, name: string): string => {
  const dir = resolve(root, name);
  if (!dir.startsWith(root + sep) || name.includes('/')) throw new Error(`log directory outside ${root}: ${dir}`);
  return dir;
};

export const serverOfDir = (dirName: string): string => (dirName === DEFAULT_SERVER_DIR ? '' : dirName);

export const serviceLogDir = (dataDir: string, service: string): string => inside(inside(logsRoot(dataDir), SERVICES_DIR), service);

export const clusterLogDir = (dataDir: string, cluster: string): string => inside(inside(logsRoot(dataDir), CLUSTERS_DIR), cluster);

/** Whose output a log directory holds, from its parent's name and its own. */
export type LogOwner = { kind: 'server'; user: string; server: string } | { kind: 'service'; service: string } | { kind: 'cluster'; cluster: string };

export const ownerOfDir = (parent: string, dirName: string): LogOwner =>
  parent === SERVICES_DIR
    ? { kind: 'service', service: dirName }
    : parent === CLUSTERS_DIR
      ? { kind: 'cluster', cluster: dirName }
      : { kind: 'server', user: parent, server: serverOfDir(dirName) };

export const metaName = (start: string): string => `${start}.json`;

export const logName = (start: string, stream: KeptStream): string =>
  stream === 'runtime' || stream === 'service' ? `${start}-${stream}.log` : `${start}-${stream.replace(':', '-')}.log`;

export const ROTATED = '.1';
export const POSITION = '.pos';

export type LogFileName =
  | { kind: 'meta'; start: string }
  | { kind: 'log'; start: string; stream: KeptStream; suffix: '' | typeof ROTATED | typeof POSITION };

const LOG_RE = /^(\d{1,16})-(runtime|service|(?:app|process)-[a-z0-9][a-z0-9-]*)\.log(\.1|\.pos)?$/;
const META_RE = /^(\d{1,16})\.json$/;

/** What a file in a server's log directory is, or null for anything else. */
export const parseLogName = (name: string): LogFileName | null => {
  const meta = META_RE.exec(name);
  if (meta) return { kind: 'meta', start: meta[1] as string };
  const m = LOG_RE.exec(name);
  if (!m) return null;
  const s = m[2] as string;
  const stream: KeptStream = s === 'runtime' || s === 'service' ? s : s.startsWith('app-') ? `app:${s.slice('app-'.length)}` : `process:${s.slice('process-'.length)}`;
  return { kind: 'log', start: m[1] as string, stream, suffix: (m[3] ?? '') as '' | '.1' | '.pos' };
};

/** A start id after `previous` (a second start within the same millisecond still gets its own files). */
export const nextStartId = (now: number, previous: string | undefined): string => {
  const last = previous === undefined ? -1 : Number(previous);
  return String(Math.max(Math.floor(now), last + 1));
};

/** A stream as the API and the files spell it: `runtime` or `app:{name}`. */
export const parseStream = (s: string): ServerLogStream | null =>
  s === 'runtime' ? 'runtime' : /^app:[a-z0-9][a-z0-9-]*$/.test(s) ? (s as ServerLogStream) : null;

/** A cluster's stream as the API spells it: `process:{process}` (master, worker-1, …). */
export const parseClusterStream = (s: string): ClusterLogStream | null => (/^process:[a-z0-9][a-z0-9-]*$/.test(s) ? (s as ClusterLogStream) : null);
