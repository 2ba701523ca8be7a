import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest, notFound } from '../../core/errors.js';
import type { ServerRecord } from '../../core/models.js';
import { describeServer } from '../../core/names.js';
import { requireScopeFor } from '../auth.js';
import type { ApiContext } from '../context.js';
import { failedEvent, LAUNCHED, launched, lineEvent, opening, readyEvent, REQUESTED, type ProgressEvent } from '../progress-events.js';
import { ServerParams, UserParams } from '../schemas.js';

/** JupyterHub writes a keepalive every 8 s so that proxies between keep the stream open. */
const KEEPALIVE_MS = 8_000;
/** How often a stream looks for the start's log file until the spawner made it. */
const LOOK_MS = 500;
/** At the end, the follower's moment to send what was written just before (fs.watch, then a read). */
const DRAIN_MS = 200;
/** Lines of output already printed that a stream opened late sends first. */
const FIRST_LINES = 200;

const DESCRIPTION =
  'JupyterHub\'s progress event stream (text/event-stream, one `data: {json}` per event): `progress` (0-100) and `message`; then each line the runtime prints while it starts, as it comes (`nbhub.line`, also the message), with rising progress; the last event is `{"ready": true, "url": …}` or `{"failed": true, "message": "Spawn failed: …"}`, and the stream closes. On a running server the ready event at once, on a failed one the failed event; 400 on a server that is not starting.';

/** `GET …/server/progress` and `…/servers/{server}/progress` (owner or admin). */
const PROGRESS_STREAM = {
  description: 'Server-sent events, one JSON object each (progress, ready, failed, message, url), until the start ends',
  content: {
    'text/event-stream': {
      schema: { type: 'object', properties: { event: { type: 'string' }, data: { type: 'string', contentMediaType: 'application/json' } }, required: ['data'] },
    },
  },
};

export const progressRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const progress = async (req: FastifyRequest, reply: FastifyReply, user: string, server: string) => {
      requireScopeFor(req, 'read:servers', { user, server });
      if (!(await ctx.store.users.get(user))) throw notFound(`No such user: ${user}`);
      const rec = ctx.servers.get(user, server);
      // The default server always exists, possibly never started: not starting, as a stopped one.
      if (!rec && server === '') throw badRequest(`${describeServer(user, '')} is not starting (it is stopped)`);
      if (!rec) throw notFound(`${user} has no server named '${server}'`);
      const first = opening(rec);
      if (first.kind === 'not-starting') throw badRequest(first.message);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
      let sent = 0;
      const send = (e: ProgressEvent) => {
        sent = Math.max(sent, e.progress);
        res.write(`data: ${JSON.stringify(e)}\n\n`);
      };
      if (first.kind !== 'follow') {
        send(first.event);
        res.end();
        return;
      }

      // The client going away ends the wait, the log's follower and the keepalive.
      const ac = new AbortController();
      res.once('close', () => ac.abort());
      req.raw.socket.once('close', () => ac.abort());
      const keepalive = setInterval(() => res.write(': keepalive\n\n'), KEEPALIVE_MS);
      keepalive.unref();
      ac.signal.addEventListener('abort', () => clearInterval(keepalive), { once: true });

      send({ progress: REQUESTED, message: 'Server requested' });
      let lines = 0;
      const output = (got: string[]) => {
        if (ac.signal.aborted) return;
        for (const line of got) send(lineEvent(line, ++lines, sent));
      };
      let following = false;
      /** Follows this start's runtime output once the spawner made its file (a start at or after the request). */
      const follow = async (r: ServerRecord) => {
        const page = await ctx.logs.read(user, server, { start: 'latest', stream: 'runtime', tail: FIRST_LINES, limit: FIRST_LINES, wholeLinesOnly: true }).catch(() => null);
        const start = page?.start;
        if (!page || !start || start.startedAt < (r.started ?? 0) || following || ac.signal.aborted) return;
        following = true;
        output(page.lines);
        ctx.logs.follow(user, server, start.id, 'runtime', page.next, ac.signal, output);
      };

      let seenLaunch = false;
      let now: ServerRecord | undefined = rec;
      while (!ac.signal.aborted && now?.state === 'pending') {
        if (!seenLaunch && launched(now)) {
          seenLaunch = true;
          send({ progress: Math.max(sent, LAUNCHED), message: 'Runtime launched; waiting until it answers' });
        }
        if (!following) await follow(now);
        const launchSeen = seenLaunch;
        now = await ctx.servers.waitFor(user, server, (x) => x?.state !== 'pending' || (!launchSeen && launched(x)), following && seenLaunch ? 30_000 : LOOK_MS, ac.signal);
      }
      // The last lines before the end (a failing runtime's reason) come before the end's event.
      if (following) await new Promise((r) => setTimeout(r, DRAIN_MS));
      if (ac.signal.aborted) return;
      send(now?.state === 'running' ? readyEvent(now) : failedEvent(now));
      ac.abort();
      res.end();
    };

    app.get('/users/:name/server/progress', { schema: { summary: 'Start progress (event stream)', description: DESCRIPTION, params: UserParams, response: { 200: PROGRESS_STREAM } } }, (req, reply) =>
      progress(req, reply, req.params.name, ''),
    );
    app.get('/users/:name/servers/:server/progress', { schema: { summary: 'Start progress of a named server (event stream)', description: DESCRIPTION, params: ServerParams, response: { 200: PROGRESS_STREAM } } }, (req, reply) =>
      progress(req, reply, req.params.name, req.params.server),
    );
  };
