import type { Logger } from './logger.js';
import type { StopReason } from './models.js';

/**
 * What the hub does and who asked (issue 18): one structured log record per event, with a stable `event` field
 * collectors can select on. `by` is the user name of whoever asked, or 'culler' / 'hub' for the hub itself.
 * Never a password or a token's secret.
 */
export type AuditEvent =
  | { event: 'login'; user: string; via: string }
  | { event: 'login_failed'; user: string; via: string; reason: string }
  | { event: 'logout'; user: string }
  | { event: 'server_start'; user: string; server: string; profile: string; by: string }
  | { event: 'server_stop'; user: string; server: string; reason: StopReason; by: string }
  | { event: 'server_delete'; user: string; server: string; by: string }
  | { event: 'user_add'; user: string; admin: boolean; by: string }
  | { event: 'user_delete'; user: string; by: string }
  | { event: 'user_update'; user: string; changed: string[]; by: string }
  | { event: 'token_create'; user: string; token_id: string; by: string }
  | { event: 'token_revoke'; user: string; token_id: string; by: string }
  /** Groups (issue 16). `user`: the group's name for group events, so every event names one subject. */
  | { event: 'group_create' | 'group_delete' | 'group_properties'; user: string; group: string; by: string }
  | { event: 'group_users_add' | 'group_users_remove'; user: string; group: string; users: string[]; by: string }
  /** A login through LDAP or OIDC changed the user's admin flag or groups (`by`: the authenticator's kind). */
  | { event: 'identity_sync'; user: string; admin?: boolean; groups?: string[]; by: string }
  | { event: 'kernel_action'; user: string; server: string; kernel: string; action: string; by: string }
  | { event: 'process_signal'; user: string; server: string; pid: number; signal: string; by: string }
  | { event: 'spark_job_submit' | 'spark_job_kill'; user: string; cluster: string; job: string; resource: string; main_class: string; by: string }
  /** A named app of a server started or stopped through the API. */
  | { event: 'app_start' | 'app_stop'; user: string; server: string; app: string; by: string }
  /** `user`: the agent's id (an agent belongs to no user), so every event names one subject. */
  | { event: 'agent_register' | 'agent_delete'; user: string; url?: string; by: string }
  /** `user`: the cluster's owner. */
  | { event: 'cluster_create' | 'cluster_start' | 'cluster_stop' | 'cluster_delete'; user: string; cluster: string; by: string };

/** Every event name, for `?event=` (kept in step with the union by the type below). */
export const AUDIT_EVENTS = [
  'login', 'login_failed', 'logout', 'server_start', 'server_stop', 'server_delete', 'user_add', 'user_delete', 'user_update',
  'token_create', 'token_revoke', 'group_create', 'group_delete', 'group_properties', 'group_users_add', 'group_users_remove',
  'identity_sync', 'kernel_action', 'process_signal', 'spark_job_submit', 'spark_job_kill', 'cluster_create', 'cluster_start',
  'cluster_stop', 'cluster_delete', 'app_start', 'app_stop', 'agent_register', 'agent_delete',
] as const satisfies ReadonlyArray<AuditEvent['event']>;
type MissingEvent = Exclude<AuditEvent['event'], (typeof AUDIT_EVENTS)[number]>;
const _allNamed: [MissingEvent] extends [never] ? true : MissingEvent = true;
void _allNamed;

/** A stored event (issue 16): `data` is the event's other fields. `by` null: the event names no one (logins). */
export interface AuditRecord {
  id: number;
  /** Milliseconds. */
  time: number;
  event: AuditEvent['event'];
  user: string;
  by: string | null;
  data: Record<string, unknown>;
}

/** GET /hub/api/audit's filters; newest first. Times in ms, both inclusive. */
export interface AuditQuery {
  user?: string | undefined;
  by?: string | undefined;
  events?: readonly string[] | undefined;
  since?: number | undefined;
  until?: number | undefined;
  offset: number;
  limit: number;
}

/**
 * Where events are kept (issue 16). `record` never throws nor waits: the request that caused the event must not
 * slow down or fail because of the trail (a write that fails is logged). `flush` resolves once every event
 * recorded before it is stored, so a reader on this instance sees its own events.
 */
export interface AuditTrail {
  record(e: AuditEvent): void;
  flush(): Promise<void>;
}

/** What `audit` needs: the logger, and the trail where the hub stores events (absent in tests that build none). */
export interface AuditTarget {
  log: Logger;
  auditTrail?: AuditTrail | undefined;
}

const who = (e: AuditEvent): string => ('by' in e ? ` by ${e.by}` : '');

/**
 * Logs the event at info and stores it in the trail. `admin_action`: someone acted on another user's things (an admin: the API lets no one
 * else), so an audit can find them without comparing fields.
 */
export const audit = (target: AuditTarget, e: AuditEvent): void => {
  const { log } = target;
  // identity_sync's `by` is the authenticator (the directory decided), not a person acting on someone else.
  const adminAction = 'by' in e && e.by !== e.user && e.by !== 'culler' && e.by !== 'hub' && e.event !== 'identity_sync';
  const server = 'server' in e ? ` ${e.server === '' ? '(default)' : e.server}` : 'cluster' in e ? ` cluster ${e.cluster}` : '';
  log.info({ ...e, ...(adminAction ? { admin_action: true } : {}) }, `${e.event}: ${e.user}${server}${who(e)}`);
  target.auditTrail?.record(e);
};
