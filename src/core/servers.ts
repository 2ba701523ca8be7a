import type { ServerRecord, StopReason } from './models.js';
import type { ActivitySink, RouteTable } from './routes.js';
import type { RuntimeDirectory } from './usage.js';

/**
 * The servers this hub knows, as they are now (the lifecycle keeps them in memory): what the API shows, the
 * proxy routes to, the samplers and the culler look at, and where activity seen by the hub goes.
 */
export interface ServerDirectory extends RouteTable, ActivitySink, RuntimeDirectory {
  get(user: string, name: string): ServerRecord | undefined;
  serversOf(user: string): ServerRecord[];
  all(): ServerRecord[];
  /**
   * Resolves with the record once `pred` holds, or with the current record after `timeoutMs` or when `signal`
   * aborts (a client that went away frees its wait at once).
   */
  waitFor(user: string, name: string, pred: (r: ServerRecord | undefined) => boolean, timeoutMs: number, signal?: AbortSignal): Promise<ServerRecord | undefined>;
}

export interface StartRequest {
  /** Absent: the server's own profile, else the default one. */
  profile?: string | undefined;
  userOptions: Record<string, unknown>;
  by: string;
}

export interface StopRequest {
  by: string;
  reason: StopReason;
  /** Delete the server (its workspace and history too) once it is stopped. */
  remove?: boolean;
  /** Checked under the server's lock: a stop decided elsewhere (the culler) yields to what happened meanwhile. */
  onlyIf?: (rec: ServerRecord) => boolean;
}

/**
 * What users, admins and the culler ask of servers. Each request checks and writes the desired state
 * (DESIGN.md idea 1); the reconciler then carries it out. Refusals are HubErrors (bad request, not found,
 * conflict).
 */
export interface ServerRequests {
  requestStart(user: string, name: string, o: StartRequest): Promise<ServerRecord>;
  requestStop(user: string, name: string, o: StopRequest): Promise<ServerRecord | undefined>;
  /** Stops and forgets every server of a user (the user is being deleted). */
  removeUser(user: string, by: string): Promise<void>;
  /** Throws unless the user may be renamed (no servers whose files are kept under the name). */
  assertRenamable(user: string): void;
}
