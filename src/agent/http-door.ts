import type { IncomingMessage } from 'node:http';
import {
  processToWire,
  readingToWire,
  type NotFoundReason,
  type WireSignal,
} from '../core/agent-protocol.js';
import { isValidServerName, isValidUserName } from '../core/names.js';
import { SIGNALS } from '../core/process-door.js';
import type { Agent } from './agent.js';

/** An answer: a status and a JSON body (undefined: none). */
export type Answer = { status: number; body?: unknown };

const bad = (message: string): Answer => ({ status: 400, body: { status: 400, message } });
const missing = (reason: NotFoundReason, message: string): Answer => ({ status: 404, body: { status: 404, message, reason } });
const KERNEL_ID = /^[0-9A-Fa-f-]{8,64}$/;
const MAX_BODY = 4096;

export type Fields = Record<string, unknown>;
/** A request's parameters, or the 400 saying why there are none. */
export type Parsed = { fields: Fields } | { error: Answer };

/**
 * The runtime a request names (user, server), its other parameters among `others`, or the 400 naming what
 * is wrong.
 */
const runtimeOf = (f: Fields, others: readonly string[]): { rt: { user: string; server: string } } | { error: Answer } => {
  const { user, server } = f;
  if (typeof user !== 'string' || !isValidUserName(user)) return { error: bad('user: must be a user name') };
  if (typeof server !== 'string' || !isValidServerName(server)) return { error: bad('server: must be a server name (empty for the default server)') };
  for (const key of Object.keys(f)) if (key !== 'user' && key !== 'server' && !others.includes(key)) return { error: bad(`${key}: unknown parameter`) };
  return { rt: { user, server } };
};

const notFollowed = (rt: { user: string; server: string }): Answer => missing('no-such-runtime', `This agent does not follow ${rt.user}/${rt.server}`);

/** Query parameters as fields; a parameter given twice is refused. */
export const queryFields = (q: URLSearchParams): Parsed => {
  const out: Fields = {};
  for (const key of q.keys()) {
    if (q.getAll(key).length > 1) return { error: bad(`${key}: give it once`) };
    out[key] = q.get(key);
  }
  return { fields: out };
};

/** A small JSON object body, or the 400 saying why not. */
export const bodyFields = async (req: IncomingMessage): Promise<Parsed> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) return { error: bad(`body: at most ${MAX_BODY} bytes`) };
    chunks.push(chunk);
  }
  try {
    const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? { fields: v as Fields } : { error: bad('body: must be a JSON object') };
  } catch {
    return { error: bad('body: must be JSON') };
  }
};

/** The kernel a reading or forgetting names, or the 400 saying what is wrong. */
const kernelOf = (f: Fields): string | Answer => (typeof f['kernel'] === 'string' && KERNEL_ID.test(f['kernel']) ? f['kernel'] : bad('kernel: must be a kernel id'));

/** The process door's endpoints (agent-protocol.ts), on the agent's own methods. */
export const doorRoutes = (agent: Agent) => ({
  kernelReading: (f: Fields): Answer => {
    const named = runtimeOf(f, ['kernel']);
    if ('error' in named) return named.error;
    const rt = named.rt;
    const kernel = kernelOf(f);
    if (typeof kernel !== 'string') return kernel;
    const r = agent.readKernel(rt, kernel);
    if (r) return { status: 200, body: readingToWire(r) };
    return agent.follows(rt) ? missing('no-such-kernel', `No kernel ${kernel} in this runtime`) : notFollowed(rt);
  },

  forgetKernel: (f: Fields): Answer => {
    const named = runtimeOf(f, ['kernel']);
    if ('error' in named) return named.error;
    const rt = named.rt;
    const kernel = kernelOf(f);
    if (typeof kernel !== 'string') return kernel;
    agent.forgetKernel(rt, kernel);
    return { status: 204 };
  },

  processes: async (f: Fields): Promise<Answer> => {
    const named = runtimeOf(f, []);
    if ('error' in named) return named.error;
    const rt = named.rt;
    const list = await agent.runtimeProcesses(rt);
    return list ? { status: 200, body: { processes: list.map(processToWire) } } : notFollowed(rt);
  },

  signal: (f: Fields): Answer => {
    const named = runtimeOf(f, ['pid', 'signal', 'started']);
    if ('error' in named) return named.error;
    const rt = named.rt;
    const w = f as Partial<WireSignal>;
    if (typeof w.pid !== 'number' || !Number.isSafeInteger(w.pid) || w.pid < 1) return bad('pid: must be a process id (a whole number from 1)');
    if (typeof w.signal !== 'string' || !SIGNALS.includes(w.signal)) return bad(`signal: must be one of ${SIGNALS.join(', ')}`);
    if (w.started !== undefined && (typeof w.started !== 'number' || !Number.isSafeInteger(w.started) || w.started < 0)) return bad('started: must be Unix ms, a whole number');
    const outcome = agent.signal(rt, w.pid, w.signal, w.started);
    switch (outcome) {
      case 'signalled':
        return { status: 204 };
      case 'no-such-process':
        return missing('no-such-process', `No process ${w.pid} in this runtime`);
      case 'no-such-runtime':
        return notFollowed(rt);
    }
  },
});
