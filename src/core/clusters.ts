import { allows } from './scopes.js';
import { forbidden, notFound } from './errors.js';
import type { Identity } from './identity.js';
import type { Page } from './store.js';

/**
 * Spark standalone clusters (issue 19): a master and N workers the hub starts, stops and watches like a
 * runtime, owned by a user and shared with others, reached at `/clusters/{name}/` behind the hub's login.
 * Admins create and delete them; the owner, the users it is shared with and admins use them.
 */

export const CLUSTER_KINDS = ['spark'] as const;
export type ClusterKind = (typeof CLUSTER_KINDS)[number];

/**
 * `starting` until the master answers and every worker has registered with it; `failed` when a process died
 * or the start timed out (`failure` says which, with the last lines it printed). A running cluster whose
 * process dies is `failed` too: the hub does not restart it behind the owner's back.
 */
export const CLUSTER_STATES = ['stopped', 'starting', 'running', 'stopping', 'failed'] as const;
export type ClusterState = (typeof CLUSTER_STATES)[number];

/** What the hub asks a cluster spawner to run. */
export interface ClusterSpec {
  name: string;
  kind: ClusterKind;
  owner: string;
  workers: number;
  workerCores: number;
  /** Memory each worker offers its executors (and drivers), in MiB. */
  workerMemoryMb: number;
  /** The hub's path prefix of the UIs (`/clusters/{name}`), for Spark's reverse-proxy links. */
  uiPrefix: string;
}

/** Where the cluster's doors are; only the hub (and runtimes allowed on the cluster) ever reach them. */
export interface SparkEndpoints {
  /** `spark://host:port`, what drivers connect to. */
  master: string;
  /** The master's REST submission server, `http://host:port` (never exposed through the proxy). */
  rest: string;
  /** The master's web UI, `http://host:port`, whose reverse proxy reaches the workers' and applications' UIs. */
  ui: string;
}

/** Versioned JSON kept in the store, so a restarted hub polls, stops and adopts what it started. */
export interface ClusterHandle {
  v: 1;
  kind: string;
  [key: string]: unknown;
}

export interface ClusterLaunched {
  handle: ClusterHandle;
  endpoints: SparkEndpoints;
}

export type ClusterPoll = { status: 'running' } | { status: 'exited'; reason: string };

/** Runs a cluster's processes (local: process groups; later, pods). Every method is safe to repeat. */
export interface ClusterSpawner {
  readonly kind: string;
  /** Launches the master and the workers and returns once they exist; readiness is the caller's to await. */
  start(spec: ClusterSpec, signal: AbortSignal): Promise<ClusterLaunched>;
  /** Running while every process of the cluster runs; else which one ended and how. */
  poll(handle: ClusterHandle): Promise<ClusterPoll>;
  /** Stops every process the cluster started (drivers and executors with their workers): SIGTERM, then SIGKILL. */
  stop(handle: ClusterHandle, options: { graceful: boolean }): Promise<void>;
  /** The last lines its processes printed, for a failure's explanation. */
  logTail(handle: ClusterHandle, lines: number): Promise<string>;
  /** Deletes what the cluster kept on disk (work directories, logs of its drivers, its processes' logs). */
  removeFiles(name: string): Promise<void>;
}

export interface ClusterRecord {
  name: string;
  kind: ClusterKind;
  owner: string;
  /** Users besides the owner allowed to use it (its UIs, jobs, notebooks). */
  users: string[];
  workers: number;
  workerCores: number;
  workerMemoryMb: number;
  /** What admins asked for; the manager moves `state` toward it. */
  desired: 'running' | 'stopped';
  state: ClusterState;
  handle: ClusterHandle | null;
  endpoints: SparkEndpoints | null;
  failure: string | null;
  created: number;
  started: number | null;
  stopped: number | null;
}

export interface ClusterRepo {
  list(): Promise<ClusterRecord[]>;
  get(name: string): Promise<ClusterRecord | undefined>;
  /** False when the name is taken. */
  create(record: ClusterRecord): Promise<boolean>;
  /** Writes the whole record; false when it is gone. */
  put(record: ClusterRecord): Promise<boolean>;
  delete(name: string): Promise<boolean>;
}

/** Spark's driver states (the master's REST API), plus UNKNOWN when the master no longer knows the driver. */
export const JOB_STATES = ['SUBMITTED', 'RUNNING', 'RELAUNCHING', 'FINISHED', 'FAILED', 'KILLED', 'ERROR', 'UNKNOWN'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FINAL_JOB_STATES: ReadonlySet<JobState> = new Set(['FINISHED', 'FAILED', 'KILLED', 'ERROR', 'UNKNOWN']);

/** One application submitted through the hub's API: who, what, and what became of it. */
export interface SparkJobRecord {
  id: string;
  cluster: string;
  /** Who submitted it. */
  user: string;
  /** `s3://bucket/key` as given. */
  resource: string;
  mainClass: string;
  args: string[];
  conf: Record<string, string>;
  /** The master's driver id (`driver-…`), once submitted. */
  submissionId: string | null;
  /** The application id (`app-…`) once its driver registered it, for its UI and its consumption. */
  appId: string | null;
  state: JobState;
  /** Why it failed or was refused, in Spark's words where it gave any. */
  message: string | null;
  submitted: number;
  ended: number | null;
}

export interface SparkJobQuery {
  cluster?: string | undefined;
  user?: string | undefined;
  offset: number;
  limit: number;
}

export interface SparkJobRepo {
  put(record: SparkJobRecord): Promise<void>;
  get(id: string): Promise<SparkJobRecord | undefined>;
  /** Newest first. */
  list(q: SparkJobQuery): Promise<Page<SparkJobRecord>>;
  /** Jobs not in a final state, oldest first (what the hub still follows). */
  unfinished(limit: number): Promise<SparkJobRecord[]>;
}

/** A new cluster, as the API checked it (clusters/input.ts). */
export interface ClusterInput {
  name: string;
  kind: ClusterKind;
  workers: number;
  workerCores: number;
  workerMemoryMb: number;
  /** Absent: whoever creates it. */
  owner: string | undefined;
  users: string[];
}

/** What the proxy, the runtimes and the executions recorder ask about clusters (in memory, no I/O). */
export interface ClusterDirectory {
  get(name: string): ClusterRecord | undefined;
  list(): ClusterRecord[];
  /** The owner, the users it is shared with, and admins. */
  mayUse(who: Identity, cluster: ClusterRecord): boolean;
}

/** What the API does with clusters (admins create and delete; the owner and admins start and stop). */
export interface ClusterControl extends ClusterDirectory {
  create(input: ClusterInput, by: Identity): Promise<ClusterRecord>;
  /** Asks for it to run; the start goes on in the background (`state`). */
  start(name: string, by: Identity): Promise<ClusterRecord>;
  /** Resolves once every process of the cluster is gone. */
  stop(name: string, by: Identity): Promise<ClusterRecord>;
  /** Stops it, deletes its files and its record (its jobs' history stays). */
  remove(name: string, by: Identity): Promise<void>;
}

export const mayUseCluster = (who: Identity, c: Pick<ClusterRecord, 'owner' | 'users'>): boolean =>
  allows(who.scopes, 'admin:clusters') || (who.service === undefined && (who.user === c.owner || c.users.includes(who.user)));

/**
 * The cluster `name` for someone allowed to use it, as every door answers it (API, jobs, logs, usage): unknown
 * 404, known but not theirs 403.
 */
export const usableCluster = (clusters: ClusterDirectory, who: Identity, name: string): ClusterRecord => {
  const c = clusters.get(name);
  if (!c) throw notFound(`No such cluster: ${name}`);
  if (!clusters.mayUse(who, c)) throw forbidden(`Cluster ${name} is not shared with you`);
  return c;
};
