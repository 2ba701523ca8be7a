import type { ServerRecord, SessionRecord, TokenRecord, UserRecord } from '../core/models.js';
import type { ServersTable, SessionsTable, TokensTable, UsersTable } from './schema.js';

/** Conversions between records and rows, in one place for both dialects. */
export const userToRow = (u: UserRecord): UsersTable => ({
  name: u.name,
  admin: u.admin ? 1 : 0,
  password_hash: u.passwordHash,
  created: u.created,
  last_activity: u.lastActivity,
});

export const userFromRow = (r: UsersTable): UserRecord => ({
  name: r.name,
  admin: Number(r.admin) === 1,
  passwordHash: r.password_hash,
  created: Number(r.created),
  lastActivity: r.last_activity == null ? null : Number(r.last_activity),
});

const num = (v: number | null): number | null => (v == null ? null : Number(v));

export const serverToRow = (s: ServerRecord): ServersTable => ({
  user_name: s.user,
  name: s.name,
  profile: s.profile,
  desired: s.desired,
  state: s.state,
  handle: s.handle,
  target: s.target,
  runtime_token: s.runtimeToken,
  created: s.created,
  started: s.started,
  ready: s.ready,
  last_activity: s.lastActivity,
  stopped_at: s.stoppedAt,
  stop_requested_at: s.stopRequestedAt,
  stop_reason: s.stopReason,
  requested_by: s.requestedBy,
  exit_status: s.exitStatus,
  log_tail: s.logTail,
  message: s.message,
  user_options: JSON.stringify(s.userOptions),
  owner: s.owner,
  version: s.version,
  remove_requested: s.removeRequested ? 1 : 0,
});

export const serverFromRow = (r: ServersTable): ServerRecord => ({
  user: r.user_name,
  name: r.name,
  profile: r.profile,
  desired: r.desired as ServerRecord['desired'],
  state: r.state as ServerRecord['state'],
  handle: r.handle,
  target: r.target,
  runtimeToken: r.runtime_token,
  created: Number(r.created),
  started: num(r.started),
  ready: num(r.ready),
  lastActivity: num(r.last_activity),
  stoppedAt: num(r.stopped_at),
  stopRequestedAt: num(r.stop_requested_at),
  stopReason: r.stop_reason as ServerRecord['stopReason'],
  requestedBy: r.requested_by,
  exitStatus: num(r.exit_status),
  logTail: r.log_tail,
  message: r.message,
  userOptions: JSON.parse(r.user_options) as Record<string, unknown>,
  owner: r.owner,
  version: Number(r.version),
  removeRequested: Number(r.remove_requested) === 1,
});

export const tokenToRow = (t: TokenRecord): TokensTable => ({
  id: t.id,
  user_name: t.user,
  hash: t.hash,
  prefix: t.prefix,
  note: t.note,
  created: t.created,
  expires_at: t.expiresAt,
  last_activity: t.lastActivity,
  scopes: t.scopes === null ? null : JSON.stringify(t.scopes),
  roles: t.roles === null ? null : JSON.stringify(t.roles),
});

export const tokenFromRow = (r: TokensTable): TokenRecord => ({
  id: r.id,
  user: r.user_name,
  hash: r.hash,
  prefix: r.prefix,
  note: r.note,
  created: Number(r.created),
  expiresAt: num(r.expires_at),
  lastActivity: num(r.last_activity),
  scopes: r.scopes === null ? null : (JSON.parse(r.scopes) as string[]),
  roles: r.roles === null ? null : (JSON.parse(r.roles) as string[]),
});

export const sessionToRow = (s: SessionRecord): SessionsTable => ({
  id_hash: s.idHash,
  user_name: s.user,
  xsrf: s.xsrf,
  created: s.created,
  expires_at: s.expiresAt,
});

export const sessionFromRow = (r: SessionsTable): SessionRecord => ({
  idHash: r.id_hash,
  user: r.user_name,
  xsrf: r.xsrf,
  created: Number(r.created),
  expiresAt: Number(r.expires_at),
});

/** A JSON column, or `fallback` when it is empty or not JSON (a row written by hand must not break a listing). */
export const jsonColumn = <T>(text: string | null, fallback: T): T => {
  if (text == null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};
