import { RuntimeApiError, type RuntimeKernel, type RuntimeSession, type RuntimeStatus } from '../core/runtime-client.js';

/**
 * One parser per model of jupyter_server's REST API, for 2.x and 1.23 (and the notebook 5 sessions that only
 * had `notebook.path`). A field a version leaves out is null; a field of the wrong type, or an answer that is
 * not the model at all, is garbage: rejected with a message that says what was wrong.
 */

type Obj = Record<string, unknown>;

const garbage = (what: string, why: string) => new RuntimeApiError('garbage', 200, `The runtime's answer is not ${what}: ${why}`);

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const object = (v: unknown, what: string): Obj => {
  if (!isObj(v)) throw garbage(what, v === undefined ? 'nothing' : `${Array.isArray(v) ? 'a list' : typeof v === 'string' ? 'text' : typeof v}`);
  return v;
};

const optional = <T>(o: Obj, key: string, what: string, type: 'string' | 'number'): T | null => {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== type) throw garbage(what, `its ${key} is not a ${type}`);
  return v as T;
};

const id = (o: Obj, what: string): string => {
  const v = o['id'];
  if (typeof v !== 'string' || v === '') throw garbage(what, 'it has no id');
  return v;
};

/** An ISO 8601 time (jupyter_server writes microseconds and a Z) as Unix ms. */
const time = (o: Obj, key: string, what: string): number | null => {
  const v = optional<string>(o, key, what, 'string');
  if (v === null) return null;
  const t = Date.parse(v);
  if (!Number.isFinite(t)) throw garbage(what, `its ${key} is not a time (${JSON.stringify(v.slice(0, 40))})`);
  return t;
};

export const parseKernel = (v: unknown): RuntimeKernel => {
  const what = 'a kernel';
  const o = object(v, what);
  return {
    id: id(o, what),
    name: optional(o, 'name', what, 'string'),
    executionState: optional(o, 'execution_state', what, 'string'),
    lastActivity: time(o, 'last_activity', what),
    connections: optional(o, 'connections', what, 'number'),
  };
};

export const parseSession = (v: unknown): RuntimeSession => {
  const what = 'a session';
  const o = object(v, what);
  const notebook = o['notebook'] === undefined || o['notebook'] === null ? null : object(o['notebook'], 'a session (its notebook)');
  const path = optional<string>(o, 'path', what, 'string') ?? (notebook && optional<string>(notebook, 'path', what, 'string'));
  if (path === null) throw garbage(what, 'it has no path');
  return {
    id: id(o, what),
    path,
    name: optional(o, 'name', what, 'string') ?? (notebook && optional<string>(notebook, 'name', what, 'string')),
    type: optional(o, 'type', what, 'string'),
    kernel: o['kernel'] === undefined || o['kernel'] === null ? null : parseKernel(o['kernel']),
  };
};

export const parseStatus = (v: unknown): RuntimeStatus => {
  const what = 'a server status';
  const o = object(v, what);
  return {
    started: time(o, 'started', what),
    lastActivity: time(o, 'last_activity', what),
    connections: optional(o, 'connections', what, 'number'),
    kernels: optional(o, 'kernels', what, 'number'),
  };
};

/** A list of one model; the first bad item rejects the whole answer (a runtime that answers garbage is not trusted in part). */
export const parseList = <T>(v: unknown, item: (v: unknown) => T, what: string): T[] => {
  if (!Array.isArray(v)) throw garbage(`a list of ${what}`, v === null || v === undefined ? 'nothing' : typeof v === 'string' ? 'text' : typeof v);
  return v.map((x, i) => {
    try {
      return item(x);
    } catch (err) {
      if (err instanceof RuntimeApiError) throw garbage(`a list of ${what}`, `item ${i}: ${err.message.replace(/^The runtime's answer is not /, '')}`);
      throw err;
    }
  });
};

/** The cell ids a notebook's saved model holds (nbformat 4.5 and later give cells ids; older cells have none). */
export const parseCellIds = (v: unknown): ReadonlySet<string> => {
  const what = 'a notebook';
  const content = object(object(v, what)['content'], 'a notebook (its content)');
  const cells = content['cells'];
  if (!Array.isArray(cells)) throw garbage(what, 'it has no cells');
  return new Set(cells.flatMap((c: unknown) => (isObj(c) && typeof c['id'] === 'string' ? [c['id']] : [])));
};
