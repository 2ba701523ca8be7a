import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../core/logger.js';
import type { Agent } from './agent.js';
import { EVENTS_PATH, KERNEL_FORGET_PATH, KERNEL_READING_PATH, MAX_LIMIT, PROCESSES_PATH, RUNTIME_PROCESSES_PATH, SIGNAL_PATH, statsToWire } from '../core/agent-protocol.js';
import { bodyFields, doorRoutes, queryFields, type Answer, type Fields, type Parsed } from './http-door.js';

export interface AgentServerOptions {
  agent: Agent;
  /** The secret the hub must present (Authorization: Bearer …), given to the hub at registration. */
  secret: () => string;
  log: Logger;
}

const send = (res: ServerResponse, status: number, body: string) => {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};
const fail = (res: ServerResponse, status: number, message: string) => send(res, status, JSON.stringify({ status, message }));

const authorized = (req: IncomingMessage, secret: string): boolean => {
  const m = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
  if (!m) return false;
  const a = Buffer.from(m[1] as string);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** A whole number in range, or the message naming the parameter. */
const whole = (q: URLSearchParams, name: string, def: number, max: number): number | string => {
  const all = q.getAll(name);
  if (all.length === 0) return def;
  const v = all[0] as string;
  if (all.length > 1 || !/^\d{1,16}$/.test(v) || Number(v) > max) return `${name}: must be one whole number from 0 to ${max}`;
  return Number(v);
};

/**
 * The agent's API: GET /agent/v1/events?after=&limit=[&ack=] (events after an offset; the log may trim
 * what is acknowledged, `after` by default), GET /agent/v1/processes (the latest process lists), and the
 * process door's endpoints (agent-protocol.ts). Only the hub, with the secret, is answered. Event lines go
 * out as logged, without parsing them again.
 */
export const createAgentServer = (o: AgentServerOptions): Server => {
  const door = doorRoutes(o.agent);
  const gets: Record<string, (q: URLSearchParams) => Answer | Promise<Answer>> = {
    [KERNEL_READING_PATH]: (q) => withFields(queryFields(q), door.kernelReading),
    [RUNTIME_PROCESSES_PATH]: (q) => withFields(queryFields(q), door.processes),
  };
  const posts: Record<string, (f: Fields) => Answer> = { [SIGNAL_PATH]: door.signal, [KERNEL_FORGET_PATH]: door.forgetKernel };
  const answer = (res: ServerResponse, a: Answer) => (a.body === undefined ? void res.writeHead(a.status).end() : send(res, a.status, JSON.stringify(a.body)));
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    const url = new URL(req.url ?? '/', 'http://agent');
    const path = url.pathname;
    const known = req.method === 'GET' ? path === EVENTS_PATH || path === PROCESSES_PATH || Object.hasOwn(gets, path) : req.method === 'POST' && Object.hasOwn(posts, path);
    if (!known) return fail(res, 404, `Not found: ${req.method} ${path}`);
    if (!authorized(req, o.secret())) return fail(res, 401, 'Send the secret this agent registered with the hub (Authorization: Bearer …)');
    if (req.method === 'POST') {
      void bodyFields(req)
        .then((p) => answer(res, withFields(p, posts[path] as (f: Fields) => Answer)))
        .catch((err: unknown) => {
          o.log.error({ err, path }, 'agent: request failed');
          if (!res.headersSent) fail(res, 500, 'The agent failed to answer; see its log');
        });
      return;
    }
    if (Object.hasOwn(gets, path)) {
      // A process list waits for its second reading (live-reader.ts); the others answer at once.
      void (async () => (gets[path] as (q: URLSearchParams) => Answer | Promise<Answer>)(url.searchParams))()
        .then((a) => answer(res, a))
        .catch((err: unknown) => {
          o.log.error({ err, path }, 'agent: request failed');
          if (!res.headersSent) fail(res, 500, 'The agent failed to answer; see its log');
        });
      return;
    }
    if (path === PROCESSES_PATH) return send(res, 200, JSON.stringify({ runtimes: o.agent.processes() }));
    for (const key of url.searchParams.keys()) if (!['after', 'limit', 'ack'].includes(key)) return fail(res, 400, `${key}: unknown parameter`);
    const after = whole(url.searchParams, 'after', 0, Number.MAX_SAFE_INTEGER);
    const limit = whole(url.searchParams, 'limit', 1000, MAX_LIMIT);
    if (typeof after === 'string') return fail(res, 400, after);
    if (typeof limit === 'string') return fail(res, 400, limit);
    const ack = whole(url.searchParams, 'ack', after, after);
    if (typeof ack === 'string') return fail(res, 400, `${ack} (and at most after)`);
    const r = o.agent.read(after, limit, ack);
    send(res, 200, `{"head":${r.head},"head_time":${r.headTime ?? 'null'},"stats":${JSON.stringify(statsToWire(r.stats))},"events":[${r.lines.join(',')}]}`);
  });
};

const withFields = <A extends Answer | Promise<Answer>>(p: Parsed, route: (f: Fields) => A): Answer | A => ('error' in p ? p.error : route(p.fields));

export const listen = (server: Server, ip: string, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve((server.address() as AddressInfo).port));
  });
