import { isoOrNull } from '../core/clock.js';
import type { CullView } from '../core/culling.js';
import type { ServerRecord, TokenRecord, UserRecord } from '../core/models.js';
import { serverPath } from '../core/urls.js';

/** JupyterHub's server model, with nbhub's own fields under `nbhub`. */
export const serverModel = (s: ServerRecord, o: { admin: boolean; culling?: CullView | undefined }) => {
  const cull = o.culling?.scheduleOf(s) ?? null;
  return {
    name: s.name,
    ready: s.state === 'running',
    pending: s.state === 'pending' ? 'spawn' : s.state === 'stopping' ? 'stop' : null,
    stopped: s.state === 'stopped' || s.state === 'failed',
    url: serverPath(s.user, s.name),
    progress_url: `/hub/api/users/${encodeURIComponent(s.user)}/server${s.name === '' ? '' : `s/${encodeURIComponent(s.name)}`}/progress`,
    started: isoOrNull(s.started),
    last_activity: isoOrNull(s.lastActivity ?? s.started),
    user_options: s.userOptions,
    ...(o.admin ? { state: {} } : {}),
    nbhub: {
      state: s.state,
      profile: s.profile,
      stop_reason: s.stopReason,
      stopped_at: isoOrNull(s.stoppedAt),
      /** When the stop was asked for or decided (stopped_at comes after the runtime's grace period). */
      stop_requested_at: isoOrNull(s.stopRequestedAt),
      requested_by: s.requestedBy,
      exit_status: s.exitStatus,
      log_tail: s.logTail,
      message: s.message,
      /** When the culler will stop it if nothing happens (null: it will not), and from when users are warned. */
      cull_at: isoOrNull(cull?.cullAt),
      cull_warn_at: isoOrNull(cull?.warnAt),
      cull_reason: cull?.reason ?? null,
      /** The hub instance that starts, stops and culls it (several instances on one PostgreSQL); admins only. */
      ...(o.admin ? { owner: s.owner } : {}),
    },
  };
};

export type ServerModel = ReturnType<typeof serverModel>;

const isActive = (s: ServerRecord) => s.state === 'pending' || s.state === 'running' || s.state === 'stopping';

/** JupyterHub's user model: `servers` lists active servers, or all with include_stopped_servers. */
export const userModel = (u: UserRecord, servers: ServerRecord[], o: { admin: boolean; includeStopped: boolean; culling?: CullView | undefined; groups?: readonly string[] | undefined; roles?: readonly string[] | undefined }) => {
  const def = servers.find((s) => s.name === '');
  const activity = Math.max(u.lastActivity ?? 0, ...servers.map((s) => s.lastActivity ?? 0));
  return {
    kind: 'user' as const,
    name: u.name,
    admin: u.admin,
    roles: o.roles ? [...o.roles] : u.admin ? ['admin', 'user'] : ['user'],
    groups: [...(o.groups ?? [])],
    server: def && def.state === 'running' ? serverPath(u.name, '') : null,
    pending: def?.state === 'pending' ? 'spawn' : def?.state === 'stopping' ? 'stop' : null,
    created: isoOrNull(u.created),
    last_activity: activity > 0 ? isoOrNull(activity) : null,
    servers: Object.fromEntries(
      servers.filter((s) => o.includeStopped || isActive(s)).map((s) => [s.name, serverModel(s, { admin: o.admin, culling: o.culling })]),
    ),
    auth_state: null,
  };
};

export const tokenModel = (t: TokenRecord) => ({
  user: t.user,
  id: t.id,
  kind: 'api_token' as const,
  roles: t.roles ?? [],
  scopes: t.scopes ?? ['inherit'],
  created: isoOrNull(t.created),
  last_activity: isoOrNull(t.lastActivity),
  expires_at: isoOrNull(t.expiresAt),
  note: t.note,
  session_id: null,
  oauth_client: 'JupyterHub',
  prefix: t.prefix,
});
