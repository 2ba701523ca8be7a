/** Records as the store keeps them. Times are milliseconds since the epoch. */

export interface UserRecord {
  name: string;
  admin: boolean;
  passwordHash: string | null;
  created: number;
  lastActivity: number | null;
}

/** What a runtime should be; only the API and the culler write it (DESIGN.md idea 1). */
export type DesiredState = 'running' | 'stopped';

/** What the reconciler last observed and acted on. */
export type ServerState = 'stopped' | 'pending' | 'running' | 'stopping' | 'failed';

export type StopReason = 'user' | 'admin' | 'failed' | 'idle' | 'max_age' | 'shutdown' | 'timeout';

export interface ServerRecord {
  user: string;
  /** '' is the default server. */
  name: string;
  profile: string;
  desired: DesiredState;
  state: ServerState;
  /** Versioned spawner handle (JSON), kept so a restarted hub can adopt or stop the runtime. */
  handle: string | null;
  /** Where the hub reaches the runtime (origin), and the secret it adds upstream. */
  target: string | null;
  runtimeToken: string | null;
  created: number;
  started: number | null;
  ready: number | null;
  lastActivity: number | null;
  stoppedAt: number | null;
  /** When its stop was asked for (by a user, an admin, the culler or the hub); stoppedAt is when it was done. */
  stopRequestedAt: number | null;
  stopReason: StopReason | null;
  /** Who asked for the last change (a user name, 'culler', 'hub'). */
  requestedBy: string | null;
  exitStatus: number | null;
  logTail: string | null;
  message: string | null;
  userOptions: Record<string, unknown>;
  /**
   * The hub instance that acts on this server (starts, polls, stops, culls it); null until one claims it.
   * Other instances only write its desired state (several instances on one PostgreSQL).
   */
  owner: string | null;
  /** Moves on with every stored write of the record; a write based on an older version loses. 0: never stored. */
  version: number;
  /** Deleting it was asked for through an instance that does not own it; the owner deletes it once stopped. */
  removeRequested: boolean;
}

export interface TokenRecord {
  id: string;
  user: string;
  hash: string;
  /** First characters of the token, to tell tokens apart in listings without revealing them. */
  prefix: string;
  note: string;
  created: number;
  expiresAt: number | null;
  lastActivity: number | null;
  /** JupyterHub scopes the token was limited to (issue 16); null: it inherits its owner's rights. */
  scopes: string[] | null;
  /** The roles it was asked for with, as given (shown in the token model); null when none. */
  roles: string[] | null;
}

export interface SessionRecord {
  idHash: string;
  user: string;
  xsrf: string;
  created: number;
  expiresAt: number;
}

/** A server that was never started (the starting point of requests and tests). */
export const newServerRecord = (user: string, name: string, now: number): ServerRecord => ({
  user,
  name,
  profile: 'default',
  desired: 'stopped',
  state: 'stopped',
  handle: null,
  target: null,
  runtimeToken: null,
  created: now,
  started: null,
  ready: null,
  lastActivity: null,
  stoppedAt: null,
  stopRequestedAt: null,
  stopReason: null,
  requestedBy: null,
  exitStatus: null,
  logTail: null,
  message: null,
  userOptions: {},
  owner: null,
  version: 0,
  removeRequested: false,
});
