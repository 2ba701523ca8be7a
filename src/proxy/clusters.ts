import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ClusterDirectory } from '../core/clusters.js';
import type { Identity, IdentityResolver } from '../core/identity.js';
import { hubAnswer } from '../core/security-headers.js';
import type { Logger } from '../core/logger.js';
import { answerRequest, answerUpgrade, credentialsOf, identifyRequest, sendRefusal, wantsHtml, type SocketTracker } from './answers.js';
import { appDownstreamHeaders, appUpstreamHeaders } from './app-headers.js';
import { decideClusterAccess } from './cluster-access.js';
import { clusterDownPage } from './cluster-page.js';
import { parseClusterPath } from './cluster-paths.js';
import { createForwarder, originParser, rejectUpgrade, type Upstream } from './forward.js';
import type { AppPlace } from './location.js';
import { loggableUrl } from './paths.js';

export interface ClusterProxyOptions {
  clusters: ClusterDirectory;
  identity: IdentityResolver;
  /** Told of each WebSocket opened, so a revocation closes it. */
  sockets?: SocketTracker | undefined;
  log: Logger;
}

export interface ClusterProxy {
  /** Handles `/clusters/{name}…`; false for any other path (left to the hub's app). */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

type Refusal = { status: number; message: string; login?: boolean; name?: string; user?: string | undefined; state?: string | undefined };
type Target = { upstream: Upstream; place: AppPlace; name: string; user: string; who: Identity };

/**
 * `/clusters/{name}/…` to the cluster's master UI, prefix stripped, HTTP and WebSocket, for the users of the
 * cluster. The workers' and applications' UIs come through the master's own reverse proxy
 * (`/proxy/{id}/`, spark.ui.reverseProxy), whose links Spark already writes under the prefix; the REST
 * submission port is never a target. Spark gets no hub credential (as an app inside a runtime), its
 * redirects stay under the prefix, and its Set-Cookie of the hub's cookies is dropped.
 */
export const createClusterProxy = (o: ClusterProxyOptions): ClusterProxy => {
  const forwarder = createForwarder(o.log);
  const targetOf = originParser();

  const decide = (req: IncomingMessage, p: { name: string; prefix: string; forward: string }, who: Identity | null, websocket: boolean): Target | Refusal => {
    const verdict = decideClusterAccess({
      who,
      name: p.name,
      cluster: o.clusters.get(p.name),
      mayUse: (w, c) => o.clusters.mayUse(w, c),
      method: req.method ?? 'GET',
      headers: req.headers,
      websocket,
    });
    if (!verdict.ok) return { ...verdict, name: p.name, user: who?.user };
    const place: AppPlace = { prefix: p.prefix, origin: verdict.ui, hubHost: req.headers.host };
    const upstream: Upstream = {
      ...targetOf(verdict.ui),
      path: p.forward,
      headers: appUpstreamHeaders(req.headers, { remoteAddress: req.socket.remoteAddress, prefix: p.prefix }, websocket),
    };
    return { upstream, place, name: p.name, user: (who as Identity).user, who: who as Identity };
  };

  const resolve = (req: IncomingMessage, websocket: boolean): Target | Refusal | { location: string } | null | Promise<Target | Refusal> => {
    const p = parseClusterPath(req.url ?? '/');
    if (p.kind === 'none') return null;
    if (p.kind === 'slash') return { location: p.location };
    if (p.kind === 'bad') return { status: 400, message: p.message };
    const who = identifyRequest(o.identity, req, websocket);
    if (who instanceof Promise) return who.then((w) => decide(req, p, w, websocket));
    return decide(req, p, who, websocket);
  };

  /** One line per request, who and what, never its token. */
  const logged = (req: IncomingMessage, status: number, t?: Target | Refusal) =>
    o.log.info({ cluster: t?.name, user: t?.user, method: req.method, url: loggableUrl(req.url ?? ''), status }, 'cluster UI');

  const refuse = (req: IncomingMessage, res: ServerResponse, r: Refusal) => {
    logged(req, r.status, r);
    if (r.status === 503 && r.name !== undefined && wantsHtml(req)) {
      res.writeHead(503, hubAnswer({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })).end(clusterDownPage(r.name, r.message));
      return;
    }
    sendRefusal(req, res, r);
  };

  const forward = (req: IncomingMessage, res: ServerResponse, t: Target) =>
    forwarder.http(req, res, t.upstream, {
      name: `Cluster ${t.name}'s UI`,
      unreachableStatus: 503,
      responseHeaders: (raw) => appDownstreamHeaders(raw, t.place, false),
      onResponse: (status) => logged(req, status, t),
    });

  const handleRequest = (req: IncomingMessage, res: ServerResponse): boolean =>
    answerRequest(req, res, resolve(req, false), {
      act: (x) => ('status' in x ? refuse(req, res, x) : forward(req, res, x)),
      redirected: () => logged(req, 302),
      log: o.log,
      what: 'cluster proxy',
    });

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): boolean =>
    answerUpgrade(req, socket, resolve(req, true), {
      act: (x) => {
        logged(req, 'status' in x ? x.status : 101, x);
        if ('status' in x) return rejectUpgrade(socket, x.status, x.message);
        o.sockets?.track(socket, x.who, credentialsOf(req));
        forwarder.websocket(req, socket, head, x.upstream, { name: `Cluster ${x.name}'s UI`, unreachableStatus: 503, responseHeaders: (raw) => appDownstreamHeaders(raw, x.place, true) });
      },
      log: o.log,
      what: 'cluster proxy',
      place: "the cluster's UI",
    });

  return { handleRequest, handleUpgrade, close: () => forwarder.close() };
};
