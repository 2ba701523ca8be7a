import { CLUSTER_KINDS, type ClusterInput, type ClusterKind } from '../core/clusters.js';
import { badRequest } from '../core/errors.js';

/** Cluster names: DNS labels (they name pods and services on Kubernetes too), at most 40 characters. */
export const CLUSTER_NAME_PATTERN = '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$';
const NAME = new RegExp(CLUSTER_NAME_PATTERN);

export interface ClusterLimits {
  maxWorkers: number;
  maxWorkerCores: number;
  maxWorkerMemoryMb: number;
}

/** Spark's own spelling of sizes: `512m`, `2g` (and MiB as a plain number). */
export const parseMemoryMb = (v: unknown): number | null => {
  if (typeof v === 'number') return Number.isInteger(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^(\d{1,9})([mg])$/i.exec(v.trim());
  if (!m) return null;
  return Number(m[1]) * (m[2]?.toLowerCase() === 'g' ? 1024 : 1);
};

/** How the API shows a size: whole GiB as `2g`, else MiB as `1536m`. */
export const formatMemory = (mb: number): string => (mb % 1024 === 0 ? `${mb / 1024}g` : `${mb}m`);

const int = (v: unknown, key: string, min: number, max: number, def: number): number => {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw badRequest(`${key} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
};

const KNOWN = new Set(['name', 'kind', 'workers', 'worker_cores', 'worker_memory', 'owner', 'users']);

/**
 * The body of `POST /hub/api/clusters`, checked once; every refusal names the field and the rule. Users named
 * (owner, users) are checked against the store by the caller.
 */
export const parseClusterInput = (body: unknown, limits: ClusterLimits): ClusterInput => {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('The body must be a JSON object {name, kind, workers, worker_cores, worker_memory}');
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((k) => !KNOWN.has(k));
  if (unknown.length > 0) throw badRequest(`Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')} (known: ${[...KNOWN].join(', ')})`);
  if (typeof b['name'] !== 'string' || !NAME.test(b['name'])) {
    throw badRequest(`name must be lower-case letters, digits and '-', starting and ending with a letter or digit, at most 40 characters (got ${JSON.stringify(b['name'] ?? null)})`);
  }
  // Spark's executors page finds its application by the first `proxy` segment of the URL: /clusters/proxy/… breaks it.
  if (b['name'] === 'proxy') throw badRequest('name "proxy" is reserved (it would break the Spark UI\'s executors page under /clusters/proxy/)');
  const kind = b['kind'] ?? 'spark';
  if (!CLUSTER_KINDS.includes(kind as ClusterKind)) throw badRequest(`kind must be one of ${CLUSTER_KINDS.join(', ')} (got ${JSON.stringify(kind)})`);
  const workerMemoryMb = b['worker_memory'] === undefined ? 1024 : parseMemoryMb(b['worker_memory']);
  if (workerMemoryMb === null || workerMemoryMb < 256 || workerMemoryMb > limits.maxWorkerMemoryMb) {
    throw badRequest(`worker_memory must be a size such as "512m" or "2g", from 256m to ${formatMemory(limits.maxWorkerMemoryMb)} (spark.max_worker_memory_mb) (got ${JSON.stringify(b['worker_memory'])})`);
  }
  const owner = b['owner'];
  if (owner !== undefined && typeof owner !== 'string') throw badRequest('owner must be a user name');
  const users = b['users'] ?? [];
  if (!Array.isArray(users) || users.some((u) => typeof u !== 'string') || users.length > 1000) throw badRequest('users must be a list of user names (at most 1000)');
  return {
    name: b['name'],
    kind: kind as ClusterKind,
    workers: int(b['workers'], 'workers', 1, limits.maxWorkers, 1),
    workerCores: int(b['worker_cores'], 'worker_cores', 1, limits.maxWorkerCores, 1),
    workerMemoryMb,
    owner,
    users: [...new Set(users as string[])],
  };
};
