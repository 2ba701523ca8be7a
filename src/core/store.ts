import type { ServerRecord, SessionRecord, TokenRecord, UserRecord } from './models.js';

/** `?state=` of JupyterHub's user list: active = any server running or in transition. */
export type UserStateFilter = 'active' | 'ready' | 'inactive';

export interface Page<T> {
  items: T[];
  total: number;
}

export interface UserRepo {
  /** Throws HubError CONFLICT when the name is taken. */
  create(user: UserRecord): Promise<void>;
  get(name: string): Promise<UserRecord | undefined>;
  list(query: { offset: number; limit: number; state?: UserStateFilter }): Promise<Page<UserRecord>>;
  count(): Promise<number>;
  update(name: string, patch: Partial<Omit<UserRecord, 'name' | 'created'>>): Promise<void>;
  /** Renames a user and everything keyed by the name; throws CONFLICT when the new name is taken. */
  rename(from: string, to: string): Promise<void>;
  /** Deletes the user with its tokens, sessions and server records. */
  delete(name: string): Promise<void>;
}

export interface ServerRepo {
  get(user: string, name: string): Promise<ServerRecord | undefined>;
  listByUser(user: string): Promise<ServerRecord[]>;
  listByUsers(users: string[]): Promise<ServerRecord[]>;
  listAll(): Promise<ServerRecord[]>;
  /** Insert or replace the whole record. */
  put(record: ServerRecord): Promise<void>;
  delete(user: string, name: string): Promise<void>;
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
  deleteExpired(now: number): Promise<number>;
}

/** Small key/value facts about the installation (for example: the first-run notice was shown). */
export interface MetaRepo {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

/** A stored sample: `kernel` '' is the runtime as a whole; cpu is the CPU-seconds counter. */
export interface UsageRow {
  user: string;
  server: string;
  kernel: string;
  t: number;
  cpu: number;
  memory: number;
}

/** Raw samples, and rollups at 1 minute and 1 hour (last counter and peak memory of each bucket). */
export type Resolution = 'raw' | '1m' | '1h';
export const RESOLUTION_MS: Record<Resolution, number> = { raw: 0, '1m': 60_000, '1h': 3_600_000 };

export interface UsageQuery {
  resolution: Resolution;
  /** Inclusive bounds, milliseconds. */
  from: number;
  to: number;
  user?: string | undefined;
  server?: string | undefined;
  /** 'runtime': the whole-runtime series only; 'kernels': every kernel's; or one kernel's id. */
  kernels: 'runtime' | 'kernels' | { id: string };
}

export interface KernelNotebook {
  user: string;
  server: string;
  kernel: string;
  notebook: string;
}

export interface UsageRepo {
  /** Stores a batch of samples and folds it into the rollups, in one transaction. */
  write(rows: readonly UsageRow[]): Promise<void>;
  /** Remembers which notebooks a kernel served (from the runtime's sessions). */
  noteNotebooks(rows: readonly KernelNotebook[], at: number): Promise<void>;
  /** Rows in range, ordered by series then time, with each series' last row before and first row after it. */
  query(q: UsageQuery): Promise<UsageRow[]>;
  notebooks(filter: { user?: string | undefined; server?: string | undefined }): Promise<KernelNotebook[]>;
  /** Drops rows older than each resolution's cut-off (ms). */
  prune(before: Record<Resolution, number>): Promise<void>;
}

export interface Store {
  readonly dialect: 'sqlite' | 'postgres';
  readonly users: UserRepo;
  readonly servers: ServerRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly meta: MetaRepo;
  readonly usage: UsageRepo;
  /** Applies pending versioned migrations; safe to call on every start. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}
