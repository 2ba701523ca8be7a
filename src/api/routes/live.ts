import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { allows } from '../../core/scopes.js';
import { runtimeLive, userSums, type LiveFigures } from '../../core/live.js';
import type { RunningRuntime } from '../../core/usage.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { UserName } from '../schemas.js';

/**
 * Runtimes asked about at the same time, at most. A first reading waits a second for its second (later ones
 * within 5 s do not), and an agent serves the runtimes asked about together with one /proc scan: 100 servers
 * are two rounds, not thirteen.
 */
const PARALLEL = 64;

const LiveQuery = Type.Object(
  { user: Type.Optional(Type.Union([UserName, Type.Array(UserName, { maxItems: 1000 })], { description: 'Only these users (repeat it); unknown names are absent from the answer' })) },
  { additionalProperties: false },
);

type ServerLive = LiveFigures & { user: string; server: string; kernels: number | null };

/** Maps `items` through `work`, at most `limit` at a time, in order. */
const bounded = async <T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> => {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return out;
};

/**
 * CPU and memory now of the running servers (issue 17), read through their agents as the kernels and
 * processes lists are (core/live.ts sums them): admins see every server, others their own. A server whose
 * agent cannot be asked has nulls ("no figure yet"); the list still answers.
 */
export const liveRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const readOne = async (rt: RunningRuntime): Promise<ServerLive> => {
      const procs = await ctx.processes.processes(rt).catch(() => undefined);
      if (!procs) return { user: rt.user, server: rt.server, cpu: null, memory: null, kernels: null };
      const live = runtimeLive(procs);
      return { user: rt.user, server: rt.server, cpu: live.cpu, memory: live.memory, kernels: live.kernels.size };
    };

    app.get('/live', { schema: { summary: 'CPU (cores) and memory (bytes) now of running servers and their users; null is no figure yet', querystring: LiveQuery } }, async (req) => {
      const who = requireUser(req);
      const only = req.query.user === undefined ? undefined : new Set([req.query.user].flat());
      const running = ctx.servers
        .running()
        .filter((rt) => allows(who.scopes, 'read:processes', { user: rt.user, server: rt.server }) && (only === undefined || only.has(rt.user)))
        .sort((a, b) => a.user.localeCompare(b.user) || a.server.localeCompare(b.server));
      const servers = await bounded(running, PARALLEL, readOne);
      return { t: new Date(ctx.clock.now()).toISOString(), servers, users: userSums(servers) };
    });
  };
