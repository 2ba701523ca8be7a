import type { AgentEvent } from './events.js';
import type { ServerRecord, SessionRecord, StopReason, TokenRecord, UserRecord } from './models.js';
import type { ExecutionRepo } from './executions.js';
import type { ClusterRepo, SparkJobRepo } from './clusters.js';
import type { GroupRepo } from './groups.js';
import type { OidcSessionRepo } from './oidc-login.js';
import type { AuditQuery, AuditRecord } from './audit.js';

/**
 * `?state=` of JupyterHub's user list: active = any server running or in transition; `failed` (nbhub's) = any
 * server whose last start or run failed.
 */
export type UserStateFilter = 'active' | 'ready' | 'inactive' | 'failed';

/** Orders of the user list (nbhub's `?sort=`); `-` reverses. `state`: users with servers running first. */
export const USER_SORTS = ['name', '-name', 'last_activity', '-last_activity', 'state', '-state'] as const;
export type UserSort = (typeof USER_SORTS)[number];

export interface UserListQuery {
  offset: number;
  limit: number;
  state?: UserStateFilter;
  /** JupyterHub's `name_filter`: the user's name contains it (any case). */
  nameFilter?: string;
  /** The user's name or one of their servers' names contains it (any case). */
  search?: string;
  /** Users with a running server whose last activity (or start) is at or before this time (ms). */
  idleBefore?: number;
  /** Default: by creation, then name (JupyterHub's order). */
  sort?: UserSort;
  /** Only these users and the members of these groups (a caller whose `list:users` is filtered). */
  within?: { users: readonly string[]; groups: readonly string[] };
}

export interface Page<T> {
  items: T[];
  total: number;
}

/** What an update of a user may change; `name` renames them. */
export type UserChange = Partial<Omit<UserRecord, 'created'>>;

export interface UserRepo {
  /** Throws HubError CONFLICT when the name is taken. */
  create(user: UserRecord): Promise<void>;
  get(name: string): Promise<UserRecord | undefined>;
  /** One query for the page and one for the total, whatever the filters (no query per user). */
  list(query: UserListQuery): Promise<Page<UserRecord>>;
  /** How many users there are; with `admin`, only the admins (true) or the others (false). */
  count(filter?: { admin?: boolean }): Promise<number>;
  /**
   * Changes a user in one transaction: all of `change` or nothing. With `name`, renames them and everything
   * keyed by the name; throws CONFLICT (changing nothing) when the new name is taken.
   */
  update(name: string, change: UserChange): Promise<void>;
  /** Deletes the user with its tokens, sessions and server records. */
  delete(name: string): Promise<void>;
}

export interface ServerRepo {
  get(user: string, name: string): Promise<ServerRecord | undefined>;
  listAll(): Promise<ServerRecord[]>;
  /**
   * Compare and set: stores the whole record if the stored one is at `record.version - 1` (absent, for
   * version 1) and says true; false, writing nothing, when another write came first. `last_activity` only
   * moves forward: a later one already stored (by another instance's proxy) is kept.
   */
  write(record: ServerRecord): Promise<boolean>;
  /**
   * Makes `to` the record's owner if it is still owned by `from` (null: by nobody) at `version`, moving the
   * version on; false when it changed meanwhile (another instance claimed it first, or it was written).
   */
  claim(user: string, name: string, o: { from: string | null; version: number; to: string }): Promise<boolean>;
  /** Raises the stored last activity to `at` if that is later; the version stays (activity is not a state). */
  noteActivity(user: string, name: string, at: number): Promise<void>;
  /**
   * Where several instances share the store (PostgreSQL): calls `listener` soon after any instance stored a
   * new version of a record (`version`), or deleted it (`version` null), its own writes included. Best effort:
   * a change missed (a lost connection) is seen at the next reload. Resolves with a function that stops it.
   */
  watch?(listener: (change: { user: string; name: string; version: number | null }) => void): Promise<() => Promise<void>>;
  delete(user: string, name: string): Promise<void>;
  /** Where a reading of changes starts: every record written or deleted after this call is in `changes(mark)`. */
  changeMark(): Promise<number>;
  /**
   * The records written and the keys deleted (not stored now) from `mark` on, and the mark to read from next.
   * A few from before `mark` may come again: taking a record in twice is harmless, missing one is not.
   */
  changes(mark: number): Promise<ServerChanges>;
}

export interface ServerChanges {
  records: ServerRecord[];
  deleted: Array<{ user: string; name: string }>;
  next: number;
}

export interface TokenRepo {
  create(token: TokenRecord): Promise<void>;
  findByHash(hash: string): Promise<TokenRecord | undefined>;
  get(user: string, id: string): Promise<TokenRecord | undefined>;
  listByUser(user: string): Promise<TokenRecord[]>;
  delete(user: string, id: string): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
}

export interface SessionRepo {
  create(session: SessionRecord): Promise<void>;
  get(idHash: string): Promise<SessionRecord | undefined>;
  delete(idHash: string): Promise<void>;
  /** Ends every session of `user` but `keepIdHash` (a password change); returns the ended sessions' id hashes. */
  deleteOfUser(user: string, keepIdHash?: string): Promise<string[]>;
  deleteExpired(now: number): Promise<number>;
}

/** Small key/value facts about the installation (for example: the first-run notice was shown). */
export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/**
 * A stored sample or rollup row; `kernel` '' is the runtime as a whole. CPU is kept as two readings of the
 * series' CPU-seconds counter: `cpu` at the row's last sample and `cpuFrom` just before its first one, so
 * `cpu - cpuFrom` is what the row used with no other row needed, and folding rows into a bucket (min of
 * cpuFrom, max of cpu, max of memory) gives the same answer however often or in whatever order it is done.
 */
export interface UsageRow {
  user: string;
  server: string;
  kernel: string;
  /** Raw: the sample's time. Rollups: the start of the bucket (UTC). Milliseconds. */
  t: number;
  cpuFrom: number;
  cpu: number;
  /** Raw: the sample's memory. Rollups: the peak in the bucket. Bytes. */
  memory: number;
}

/** Raw samples, and rollups at 1 minute, 1 hour and 1 day (UTC days). */
export type Resolution = 'raw' | '1m' | '1h' | '1d';
export const RESOLUTIONS: readonly Resolution[] = ['raw', '1m', '1h', '1d'];
export const RESOLUTION_MS: Record<Resolution, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000, '1d': 86_400_000 };

export interface UsageQuery {
  resolution: Resolution;
  /** Inclusive bounds, milliseconds. */
  from: number;
  to: number;
  user?: string | undefined;
  server?: string | undefined;
  /** 'runtime': the whole-runtime series only; 'kernels': every kernel's; or one kernel's id. */
  kernels: 'runtime' | 'kernels' | { id: string };
  /**
   * Raw only: also each series' first row within this many ms after `to`, whose CPU was used partly
   * inside the range.
   */
  trailingMs?: number;
}

/**
 * One series' rows of a UsageQuery as columns, one entry per row in time order: what aggregating reads,
 * without an object (and three label strings) per row.
 */
export interface UsageSeries {
  user: string;
  server: string;
  kernel: string;
  t: number[];
  /** What each row used: max(0, cpu - cpuFrom), computed as JavaScript would (IEEE doubles). */
  used: number[];
  memory: number[];
}

export interface KernelNotebook {
  user: string;
  server: string;
  kernel: string;
  notebook: string;
}

/** The last stored counter of a series, so a restarted sampler continues it instead of starting over. */
export interface LastCounter {
  t: number;
  cpu: number;
}

/** Usage as the hub reads it; samples arrive with the agents' events (EventRepo.store). */
export interface UsageRepo {
  /** Rows in range, one item per series (ordered by series, rows in time order), packed by the database. */
  series(q: UsageQuery): Promise<UsageSeries[]>;
  notebooks(filter: { user?: string | undefined; server?: string | undefined }): Promise<KernelNotebook[]>;
  /** The last stored counter of some series of one runtime (kernel id, '' for the runtime), from any resolution. */
  lastCounters(user: string, server: string, kernels: readonly string[]): Promise<Map<string, LastCounter>>;
  /** Drops rows older than each resolution's cut-off (ms), and notebook links older than every one. */
  prune(before: Record<Resolution, number>): Promise<void>;
}

/** One start or stop of a server, with who or what caused it: a user's name, 'culler', 'hub' or 'runtime'. */
export interface ServerEvent {
  user: string;
  server: string;
  t: number;
  /** `delete`: the server was deleted (its history stays; a server made again with its name continues it). */
  action: 'start' | 'stop' | 'delete';
  /** Why it stopped (null for a start or a delete). */
  reason: StopReason | null;
  by: string | null;
  message: string | null;
  /** The profile the server ran (null on events stored before the hub kept it). */
  profile: string | null;
}

export interface ServerHistoryRepo {
  add(event: ServerEvent): Promise<void>;
  /** Newest first. */
  list(user: string, server: string, limit: number): Promise<ServerEvent[]>;
  /** Forgets a deleted server's history. */
  deleteServer(user: string, server: string): Promise<void>;
}

/** A registered agent (DESIGN.md idea 7), with what the hub stored of it and who pulls it. Times Unix ms. */
export interface AgentRecord {
  id: string;
  /** Where the hub pulls it; null for an in-process agent, which only its own hub instance can read. */
  url: string | null;
  /** The secret the hub presents to the agent (the agent chose it at registration). */
  secret: string | null;
  registeredAt: number;
  /** Last successful pull, and the error of the last failed one (null once a pull succeeds again). */
  lastContact: number | null;
  lastError: string | null;
  /** The agent's last offset the hub stored, and the time of that event. */
  storedOffset: number;
  storedTime: number | null;
  /** The agent's newest offset as it last said, and that event's time. */
  headOffset: number;
  headTime: number | null;
  eventsLost: number;
  /** The hub instance that pulls it, until `leaseExpires`. */
  leaseOwner: string | null;
  leaseExpires: number | null;
}

export interface AgentRepo {
  /** Creates the agent or updates its address and secret; what was stored of it is kept. */
  register(a: { id: string; url: string | null; secret: string | null; at: number }): Promise<AgentRecord>;
  get(id: string): Promise<AgentRecord | undefined>;
  list(): Promise<AgentRecord[]>;
  delete(id: string): Promise<boolean>;
  /** Takes the lease when it is free, expired or already `owner`'s (atomically); false when another holds it. */
  claim(id: string, owner: string, now: number, until: number): Promise<boolean>;
  /** Extends the leases `owner` still holds among `ids`; returns the ids renewed. */
  renew(owner: string, ids: readonly string[], until: number): Promise<string[]>;
  release(owner: string, ids: readonly string[]): Promise<void>;
  /** A pull that stored nothing: contact (error null) or failure, and the head the agent told; only by the lease holder. */
  noteContact(id: string, owner: string, c: { at: number; error: string | null; headOffset?: number; headTime?: number | null }): Promise<void>;
}

/** Hub instances sharing the store say they are alive, so agents and servers can be split between the live ones. */
export interface InstanceRepo {
  heartbeat(instance: string, at: number): Promise<void>;
  /** The instances whose last heartbeat is at or after `since`, by id. */
  live(since: number): Promise<string[]>;
}

/** An event as the hub stored it: `seq` is the hub's own order, `event.offset` the agent's. */
export interface StoredEvent {
  seq: number;
  agent: string;
  storedAt: number;
  event: AgentEvent;
}

/** One agent's batch, ready to store: the events and what they mean for usage. */
export interface EventBatchWrite {
  agent: string;
  /** The lease holder writing it. */
  owner: string;
  /** The agent's stored offset this batch continues from, and the one it reaches. */
  after: number;
  through: number;
  throughTime: number | null;
  events: readonly AgentEvent[];
  usage: readonly UsageRow[];
  notebooks: readonly KernelNotebook[];
  /** Samples the agent reported lost in this batch. */
  lost: number;
  headOffset: number;
  headTime: number | null;
  at: number;
}

/** A batch with its rows already encoded for the store (`prepare`), opaque to everyone else. */
export interface PreparedBatch {
  readonly batch: EventBatchWrite;
}

export interface EventRepo {
  /**
   * Does a batch's CPU work ahead of its transaction (no I/O), so the monitor can do it while the batch
   * before is being written. Storing the batch itself does it too.
   */
  prepare(b: EventBatchWrite): PreparedBatch;
  /**
   * Stores a batch, its usage rows and notebook links, and the agent's new offset in one transaction, so a
   * crash repeats nothing and loses nothing. Throws CONFLICT (and writes nothing) when the agent's stored
   * offset is not `after` or `owner` does not hold its lease: another instance got there first.
   */
  store(b: EventBatchWrite | PreparedBatch): Promise<void>;
  /** Stored events after `after` (a seq), in stored order. */
  page(after: number, limit: number): Promise<StoredEvent[]>;
  /** Events of one agent with offsets in (after, through], in offset order. */
  ofAgent(agent: string, after: number, through: number): Promise<StoredEvent[]>;
  /** Drops events older than `before` (event time, ms). */
  prune(before: number): Promise<void>;
}

/** The stored audit trail (issue 16). */
export interface AuditRepo {
  /** Stores the events in one statement, in order (their ids ascend in that order). */
  append(events: ReadonlyArray<Omit<AuditRecord, 'id'>>): Promise<void>;
  /** Newest first (by time, then id); `total` counts every match. */
  query(q: AuditQuery): Promise<Page<AuditRecord>>;
  /** Drops events older than `before` (ms); says how many. */
  prune(before: number): Promise<number>;
}

/** What a store can do beyond the interfaces, chosen by its database (behaviour branches on these, never on a name). */
export interface StoreCapabilities {
  /** Several hub instances may share it (PostgreSQL): leases, ownership of servers and change notices apply. */
  readonly sharedByInstances: boolean;
}

export interface Store {
  /** The database's name, for display only ('sqlite', 'postgres'): behaviour follows `capabilities`. */
  readonly kind: string;
  readonly capabilities: StoreCapabilities;
  readonly users: UserRepo;
  readonly servers: ServerRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly groups: GroupRepo;
  /** Refresh tokens of sessions logged in through an OpenID provider (issue 16). */
  readonly oidcSessions: OidcSessionRepo;
  readonly audit: AuditRepo;
  readonly meta: MetaRepo;
  readonly usage: UsageRepo;
  readonly history: ServerHistoryRepo;
  readonly executions: ExecutionRepo;
  readonly agents: AgentRepo;
  readonly instances: InstanceRepo;
  readonly events: EventRepo;
  readonly clusters: ClusterRepo;
  readonly sparkJobs: SparkJobRepo;
  /** Applies pending versioned migrations; safe to call again. The command that opens the store runs it, once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
