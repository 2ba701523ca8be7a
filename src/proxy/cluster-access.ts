import type { IncomingHttpHeaders } from 'node:http';
import type { ClusterRecord } from '../core/clusters.js';
import type { Identity } from '../core/identity.js';
import { crossOriginRefusal } from './access.js';

export type ClusterVerdict =
  /** `ui`: the master's web UI (`http://host:port`), the only door of the cluster the proxy reaches. */
  | { ok: true; ui: string }
  | { ok: false; status: 401 | 403 | 404 | 503; message: string; login: boolean; state?: string };

export interface ClusterAsk {
  who: Identity | null;
  name: string;
  cluster: ClusterRecord | undefined;
  /** Whether `who` may use it (core ClusterDirectory.mayUse: owner, shared users, admins). */
  mayUse: (who: Identity, cluster: ClusterRecord) => boolean;
  method: string;
  headers: IncomingHttpHeaders;
  websocket: boolean;
}

/**
 * Who may reach a cluster's UIs (pure). Nobody learns whether a cluster exists before logging in; its state
 * and failure only its users. A cookie write (Spark's kill buttons are POST forms) or WebSocket must come from
 * the hub's own origin, as on the runtime's path.
 */
export const decideClusterAccess = (a: ClusterAsk): ClusterVerdict => {
  if (!a.who) return { ok: false, status: 401, message: 'Authentication required: log in or send an API token', login: true };
  const c = a.cluster;
  if (!c) return { ok: false, status: 404, message: `No such cluster: ${a.name}`, login: false };
  if (!a.mayUse(a.who, c)) return { ok: false, status: 403, message: `Cluster ${a.name} is not shared with ${a.who.user}: its owner, the users it is shared with and admins may use it`, login: false };
  const crossOrigin = crossOriginRefusal(a.who, a.method, a.headers, a.websocket);
  if (crossOrigin) return { ok: false, status: 403, message: crossOrigin, login: false };
  if (c.state !== 'running' || !c.endpoints) {
    const failure = c.state === 'failed' && c.failure ? `: ${c.failure}` : '';
    return { ok: false, status: 503, message: `Cluster ${a.name} is not running (${c.state})${failure}`, login: false, state: c.state };
  }
  return { ok: true, ui: c.endpoints.ui };
};
