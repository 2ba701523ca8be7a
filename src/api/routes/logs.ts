import { Type, type FastifyPluginAsyncTypebox, type Static } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { usableCluster } from '../../core/clusters.js';
import { badRequest, notFound } from '../../core/errors.js';
import { CLUSTER_NAME_PATTERN } from '../../clusters/input.js';
import { SERVICE_NAME_PATTERN } from '../../config/services-schema.js';
import type { ClusterLogStream, KeptStream, LogPage, LogRange, ServerLogStream } from '../../core/logs.js';
import { requireAdmin, requireScopeFor, requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { flag, ServerName, UserName } from '../schemas.js';

const DEFAULT_TAIL = 200;
const DEFAULT_LIMIT = 1000;
const MAX_LINES = 10_000;
const KEEPALIVE_MS = 15_000;

const Digits = (description: string) => Type.Optional(Type.String({ pattern: '^[0-9]{1,12}$', description }));

/** The query of a logs route; `stream` as that route's streams are spelled. */
const logQuery = (stream: ReturnType<typeof Type.String>) =>
  Type.Object(
    {
      start: Type.Optional(
        Type.String({ pattern: '^(latest|[0-9]{1,16})$', description: "Which start: 'latest' (default), a start's id, or its index in `starts` (0: the oldest kept)" }),
      ),
      stream: Type.Optional(stream),
      tail: Digits(`The last N lines (0-${MAX_LINES}, default ${DEFAULT_TAIL}); ignored with offset`),
      offset: Digits("Byte offset into the stream's text (its rotated part first) to read from, e.g. a previous answer's `next`; one answer reads at most 4 MiB from there (a search may return fewer lines: continue at `next`)"),
      limit: Digits(`With offset: lines to return at most (1-${MAX_LINES}, default ${DEFAULT_LIMIT})`),
      q: Type.Optional(Type.String({ maxLength: 256, description: 'Only lines containing this text, case-insensitively' })),
      follow: Type.Optional(
        Type.String({
          pattern: '^(0|1|true|false)$',
          description:
            'follow=1: a text/event-stream that sends the range asked for, then each new line as it is written, until the client leaves. Each event: `data: {"line": "…"}`; a first `event: meta` carries the answer without its lines.',
        }),
      ),
      token: Type.Optional(Type.String()),
    },
    { additionalProperties: false },
  );

const LogQuery = logQuery(Type.String({ pattern: '^(runtime|app:[a-z0-9][a-z0-9-]*)$', description: "Whose output: 'runtime' (default) or 'app:{name}' (a named app's)" }));
/** A service has one stream; `stream=service` is accepted so clients can send the same query everywhere. */
const ServiceLogQuery = logQuery(Type.String({ pattern: '^service$', description: "Its one stream: 'service' (default)" }));
const ClusterLogQuery = logQuery(
  Type.String({ pattern: '^process:[a-z0-9][a-z0-9-]*$', description: "Which process: 'process:master' (default), 'process:worker-1', … (a start's `streams` lists them)" }),
);

const LogStartModel = Type.Object({
  id: Type.String(),
  index: Type.Integer(),
  started_at: Type.String({ format: 'date-time' }),
  profile: Type.String(),
  streams: Type.Array(Type.String()),
  bytes: Type.Integer(),
});
const LogReply = Type.Object({
  starts: Type.Array(LogStartModel, { description: 'Every kept start, oldest first' }),
  start: Type.Union([Type.String(), Type.Null()], { description: 'Id of the start read (null: none kept)' }),
  stream: Type.String(),
  lines: Type.Array(Type.String()),
  next: Type.Integer({ description: 'Byte offset after the last whole line read: offset= continues there' }),
});

const DESCRIPTION =
  "The output of one start of the server (owner or admin): JSON {starts, start, stream, lines, next}, or the lines alone as text/plain when the request's Accept prefers it. Kept after the runtime stopped and across hub restarts (logs.*), deleted with the server.";

const number = (text: string | undefined, name: string, def: number, min: number): number => {
  const n = text === undefined ? def : Number(text);
  if (n < min || n > MAX_LINES) throw badRequest(`${name}: must be between ${min} and ${MAX_LINES}; it is ${text}`);
  return n;
};

const pageModel = (p: LogPage) => ({
  starts: p.starts.map((s, index) => ({ id: s.id, index, started_at: new Date(s.startedAt).toISOString(), profile: s.profile, streams: s.streams, bytes: s.bytes })),
  start: p.start?.id ?? null,
  stream: p.stream,
  lines: p.lines,
  next: p.next,
});

// Both queries have the same shape (only `stream`'s pattern differs).
type Query = Static<typeof LogQuery>;

/** What a logs route reads: one server's or one service's kept starts. */
interface LogSource {
  /** Who, in a message: "alice's server 'lab'", "service board". */
  what: string;
  read(range: LogRange): Promise<LogPage>;
  follow(start: string, stream: KeptStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void;
}

const rangeOf = (query: Query, defaultStream: KeptStream): LogRange => ({
  start: query.start ?? 'latest',
  stream: (query.stream ?? defaultStream) as KeptStream,
  tail: number(query.tail, 'tail', DEFAULT_TAIL, 0),
  offset: query.offset === undefined ? undefined : Number(query.offset),
  limit: number(query.limit, 'limit', DEFAULT_LIMIT, 1),
  q: query.q,
});

/** One answer of a logs route: the range as JSON or text, or follow=1's event stream. The caller has checked access. */
const answer = async (req: FastifyRequest, reply: FastifyReply, source: LogSource, range: LogRange, following: boolean) => {
  const page = await source.read({ ...range, wholeLinesOnly: following });
  if (!following) {
    const text = req.headers.accept?.includes('text/plain') && !req.headers.accept.includes('application/json');
    if (text) return reply.type('text/plain; charset=utf-8').send(page.lines.map((l) => `${l}\n`).join(''));
    return pageModel(page);
  }
  if (!page.start) throw notFound(`start: ${source.what} has no output kept yet`);
  const id = page.start.id;
  stream(req, reply, page, (abort, send) => source.follow(id, range.stream, page.next, abort, send), range.q);
  return reply;
};

const SERVICE_DESCRIPTION =
  "The output of one start of a managed service's process (admins only: it may hold anything the service prints): the same parameters and answer as a server's logs, with the one stream 'service'. Kept across restarts of the service and of the hub (logs.*).";

const CLUSTER_DESCRIPTION =
  "The output of one start of a Spark cluster (its owner, the users it is shared with, admins), one stream per process: the same parameters and answer as a server's logs, streams 'process:master', 'process:worker-1', …. Each start of the cluster is a start here; kept across stops and hub restarts (logs.*), deleted with the cluster.";

/** A server's output per start (DESIGN.md: GET …/server/logs and …/servers/{server}/logs, ?follow=1 streams), and a managed service's. */
export const logRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const logs = async (req: FastifyRequest, reply: FastifyReply, user: string, server: string, query: Query) => {
      requireScopeFor(req, 'read:servers', { user, server });
      const range = rangeOf(query, 'runtime');
      const following = flag(query.follow);
      if (!(await ctx.store.users.get(user))) throw notFound(`No such user: ${user}`);
      // A deleted server is gone with its logs; the default server always exists (possibly never started).
      if (server !== '' && !ctx.servers.get(user, server)) throw notFound(`${user} has no server named '${server}'`);
      const source: LogSource = {
        what: `${user}'s server '${server}'`,
        read: (r) => ctx.logs.read(user, server, r),
        // The query's pattern admits a server's streams only.
        follow: (start, s, from, signal, send) => ctx.logs.follow(user, server, start, s as ServerLogStream, from, signal, send),
      };
      return answer(req, reply, source, range, following);
    };

    app.get('/users/:name/server/logs', { schema: { summary: "The default server's output (a range, or follow=1)", description: DESCRIPTION, params: Type.Object({ name: UserName }), querystring: LogQuery, response: { 200: LogReply } } }, (req, reply) =>
      logs(req, reply, req.params.name, '', req.query),
    );
    app.get(
      '/users/:name/servers/:server/logs',
      { schema: { summary: "A named server's output (a range, or follow=1)", description: DESCRIPTION, params: Type.Object({ name: UserName, server: ServerName }), querystring: LogQuery, response: { 200: LogReply } } },
      (req, reply) => logs(req, reply, req.params.name, req.params.server, req.query),
    );
    app.get(
      '/services/:name/logs',
      {
        schema: {
          summary: "A managed service's output (admins only; a range, or follow=1)",
          description: SERVICE_DESCRIPTION,
          params: Type.Object({ name: Type.String({ pattern: SERVICE_NAME_PATTERN, description: 'Service name' }) }),
          querystring: ServiceLogQuery,
          response: { 200: LogReply },
        },
      },
      async (req, reply) => {
        requireAdmin(req);
        const name = req.params.name;
        const range = rangeOf(req.query, 'service');
        const service = ctx.services.get(name);
        if (!service) throw notFound(`No such service: ${name}`);
        if (service.command.length === 0) throw notFound(`service ${name} is not managed (it has no command): the hub keeps no output of it`);
        const source: LogSource = {
          what: `service ${name}`,
          read: (r) => ctx.serviceLogs.read(name, r),
          follow: (start, _stream, from, signal, send) => ctx.serviceLogs.follow(name, start, from, signal, send),
        };
        return answer(req, reply, source, range, flag(req.query.follow));
      },
    );
    app.get(
      '/clusters/:name/logs',
      {
        schema: {
          summary: "A Spark cluster's processes' output (a range, or follow=1)",
          description: CLUSTER_DESCRIPTION,
          params: Type.Object({ name: Type.String({ pattern: CLUSTER_NAME_PATTERN, description: 'Cluster name' }) }),
          querystring: ClusterLogQuery,
          response: { 200: LogReply },
        },
      },
      async (req, reply) => {
        const who = requireUser(req);
        const name = req.params.name;
        const range = rangeOf(req.query, 'process:master');
        usableCluster(ctx.clusters, who, name);
        const source: LogSource = {
          what: `cluster ${name}`,
          read: (r) => ctx.clusterLogs.read(name, r),
          // The query's pattern admits a cluster's streams only.
          follow: (start, s, from, signal, send) => ctx.clusterLogs.follow(name, start, s as ClusterLogStream, from, signal, send),
        };
        return answer(req, reply, source, range, flag(req.query.follow));
      },
    );
  };

/** The event stream of follow=1: the range read, then each new line, until the client leaves. */
const stream = (
  req: FastifyRequest,
  reply: FastifyReply,
  page: LogPage,
  follow: (signal: AbortSignal, send: (lines: string[]) => void) => void,
  q: string | undefined,
): void => {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
  const { lines: _lines, ...meta } = pageModel(page);
  res.write(`event: meta\ndata: ${JSON.stringify(meta)}\n\n`);
  const needle = q?.toLowerCase();
  const send = (lines: string[]) => {
    const chosen = needle ? lines.filter((l) => l.toLowerCase().includes(needle)) : lines;
    if (chosen.length > 0) res.write(chosen.map((line) => `data: ${JSON.stringify({ line })}\n\n`).join(''));
  };
  send(page.lines);
  const ac = new AbortController();
  const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
  keepalive.unref();
  req.raw.socket.once('close', () => {
    clearInterval(keepalive);
    ac.abort();
  });
  res.once('close', () => {
    clearInterval(keepalive);
    ac.abort();
  });
  follow(ac.signal, send);
};
