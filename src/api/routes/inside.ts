import { noBody } from '../response-docs.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../../core/audit.js';
import { HubError, notFound } from '../../core/errors.js';
import { runtimeLive } from '../../core/live.js';
import { describeServer } from '../../core/names.js';
import { SIGNALS } from '../../core/process-door.js';
import type { RunningRuntime } from '../../core/usage.js';
import { requireScopeFor } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ServerName, UserName } from '../schemas.js';

const KernelId = Type.String({ pattern: '^[0-9A-Fa-f-]{8,64}$' });
const Pid = Type.String({ pattern: '^[0-9]{1,10}$' });

/** What runs inside a runtime: its kernels (through its own API) and its processes (through the process door). */
const KERNEL_DONE = { 204: noBody('Done: the runtime took the action') };

export const insideRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const runtimeOf = (req: FastifyRequest, user: string, server: string): RunningRuntime => {
      // Reading kernels and processes is read:processes; interrupting, restarting, signalling is processes.
      requireScopeFor(req, req.method === 'GET' ? 'read:processes' : 'processes', { user, server }, ['read:processes', 'read:servers', 'read:users']);
      const rt = ctx.servers.running().find((r) => r.user === user && r.server === server);
      if (!rt) throw new HubError('UNAVAILABLE', `${describeServer(user, server)} is not running`);
      return rt;
    };
    // Params were validated by the route's schema; the two route shapes differ only by `server`.
    const at = (req: FastifyRequest): RunningRuntime => {
      const p = req.params as { name: string; server?: string };
      return runtimeOf(req, p.name, p.server ?? '');
    };
    const notebooksOf = async (rt: RunningRuntime): Promise<Record<string, string[]>> => ctx.runtimeApi.labelsByKernel(rt).catch(() => ({}));

    // A runtime that does not answer is unavailable (the client's RuntimeApiError), not an internal error.
    // CPU and memory are now's, through the agent (core/live.ts); no agent to ask: no figure (null).
    const listKernels = async (rt: RunningRuntime) => {
      const [kernels, notebooks, procs] = await Promise.all([ctx.runtimeApi.kernels(rt), notebooksOf(rt), ctx.processes.processes(rt).catch(() => undefined)]);
      const live = runtimeLive(procs ?? []).kernels;
      return {
        kernels: kernels.map((k) => ({
          id: k.id,
          name: k.name,
          notebooks: notebooks[k.id] ?? [],
          execution_state: k.executionState,
          last_activity: k.lastActivity === null ? null : new Date(k.lastActivity).toISOString(),
          connections: k.connections ?? 0,
          cpu: live.get(k.id)?.cpu ?? null,
          memory: live.get(k.id)?.memory ?? null,
        })),
      };
    };

    const byOf = (reply: FastifyReply) => reply.request.identity?.user ?? '';
    const kernelAction = async (reply: FastifyReply, rt: RunningRuntime, kernelId: string, action: 'interrupt' | 'restart' | 'shutdown') => {
      if ((await ctx.runtimeApi.act(rt, kernelId, action)) === 'no-such-kernel') throw notFound('No such kernel in this runtime');
      audit(ctx, { event: 'kernel_action', user: rt.user, server: rt.server, kernel: kernelId, action, by: byOf(reply) });
      ctx.kernelControl?.control({ user: rt.user, server: rt.server, kernelId, action, at: ctx.clock.now() });
      return reply.code(204).send();
    };

    const listProcesses = async (rt: RunningRuntime) => {
      const [list, notebooks] = await Promise.all([ctx.processes.processes(rt), notebooksOf(rt)]);
      if (!list) throw new HubError('UNAVAILABLE', 'No agent finds this runtime’s processes');
      return {
        processes: list.map((p) => ({
          pid: p.pid,
          ppid: p.ppid,
          command: p.command,
          cpu: p.cpu,
          memory: p.memory,
          kernel_id: p.kernelId,
          notebook: p.kernelId ? (notebooks[p.kernelId] ?? []).join(',') || null : null,
        })),
      };
    };

    const signal = async (reply: FastifyReply, rt: RunningRuntime, pid: number, sig: (typeof SIGNALS)[number]) => {
      if ((await ctx.processes.signal(rt, pid, sig)) !== 'signalled') throw notFound(`No process ${pid} in this runtime`);
      audit(ctx, { event: 'process_signal', user: rt.user, server: rt.server, pid, signal: sig, by: byOf(reply) });
      return reply.code(204).send();
    };

    // The same routes for the default server (/server/…) and named ones (/servers/{server}/…).
    for (const [prefix, props] of [
      ['/users/:name/server', { name: UserName }],
      ['/users/:name/servers/:server', { name: UserName, server: ServerName }],
    ] as const) {
      const params = Type.Object(props);
      app.get(`${prefix}/kernels`, { schema: { summary: 'Kernels of a running server, with notebooks, state, and CPU (cores) and memory (bytes) now (null: no figure yet)', params } }, async (req) =>
        listKernels(at(req)),
      );
      const kparams = Type.Object({ ...props, kernel: KernelId });
      app.post(`${prefix}/kernels/:kernel/interrupt`, { config: { optionalBody: true }, schema: { summary: 'Interrupt a kernel', params: kparams, response: KERNEL_DONE } }, async (req, reply) =>
        kernelAction(reply, at(req), (req.params as { kernel: string }).kernel, 'interrupt'),
      );
      app.post(`${prefix}/kernels/:kernel/restart`, { config: { optionalBody: true }, schema: { summary: 'Restart a kernel', params: kparams, response: KERNEL_DONE } }, async (req, reply) =>
        kernelAction(reply, at(req), (req.params as { kernel: string }).kernel, 'restart'),
      );
      app.delete(`${prefix}/kernels/:kernel`, { schema: { summary: 'Shut a kernel down', params: kparams, response: KERNEL_DONE } }, async (req, reply) =>
        kernelAction(reply, at(req), (req.params as { kernel: string }).kernel, 'shutdown'),
      );
      app.get(`${prefix}/processes`, { schema: { summary: 'Processes running inside a server, with their kernel, notebook, and CPU and memory now (null: no figure yet)', params } }, async (req) =>
        listProcesses(at(req)),
      );
      app.post(
        `${prefix}/processes/:pid/signal`,
        {
          schema: {
            summary: 'Signal a process of this server (404 for any other process)',
            response: { 204: noBody('Sent') },
            params: Type.Object({ ...props, pid: Pid }),
            body: Type.Object({ signal: Type.Union(SIGNALS.map((s) => Type.Literal(s))) }, { additionalProperties: false }),
          },
        },
        async (req, reply) => signal(reply, at(req), Number((req.params as { pid: string }).pid), req.body.signal),
      );
    }
  };
