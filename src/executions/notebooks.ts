import type { JupyterResponse } from '../agent/jupyter-api.js';
import type { Clock } from '../core/clock.js';
import type { RunningRuntime } from '../core/usage.js';
import { attribute, type Attributed } from './attribution.js';

/** Asks a runtime's own REST API (agent/jupyter-api.ts's callRuntime in production). */
export type RuntimeCall = (rt: Pick<RunningRuntime, 'target' | 'baseUrl' | 'token'>, method: string, path: string, timeoutMs?: number) => Promise<JupyterResponse>;

export interface NotebookLookup {
  /** Which notebook an execution on this kernel belongs to, from the runtime's sessions (and cells when shared). */
  resolve(rt: RunningRuntime, kernelId: string, cellId: string | null): Promise<Attributed>;
  /** What resolve would answer, when it can say so right away (from answers already in); else undefined. */
  known?(rt: RunningRuntime, kernelId: string, cellId: string | null): Attributed | undefined;
  /** A kernel connection opened: a notebook may have joined a kernel, so the sessions are asked again. */
  invalidate(user: string, server: string): void;
}

// Sessions change when notebooks open (a new kernel connection invalidates them); cells when a notebook is saved.
const SESSIONS_TTL_MS = 10_000;
const CELLS_TTL_MS = 1_000;

interface Cached<T> {
  at: number;
  value: Promise<T>;
  /** The value, once it arrived. */
  settled?: T;
}

interface SessionModel {
  path?: unknown;
  notebook?: { path?: unknown } | null;
  type?: unknown;
  kernel?: { id?: unknown } | null;
}

const encodePath = (path: string) => path.split('/').map(encodeURIComponent).join('/');

/**
 * Attribution from the runtime (issue 4): /api/sessions names the notebooks on each kernel, and when a kernel
 * serves several, their saved cells (/api/contents) tell which holds the cell id. Answers are cached briefly
 * so a run of cells costs one sessions call; a cell id not found in a notebook read over a second ago sends
 * for the notebook again (it may have been saved since).
 */
export class RuntimeNotebooks implements NotebookLookup {
  private readonly sessions = new Map<string, Cached<Record<string, string[]>>>();
  private readonly cells = new Map<string, Cached<ReadonlySet<string> | undefined>>();

  constructor(
    private readonly call: RuntimeCall,
    private readonly clock: Clock,
  ) {}

  invalidate(user: string, server: string): void {
    this.sessions.delete(`${user}\u0000${server}`);
  }

  known(rt: RunningRuntime, kernelId: string, cellId: string | null): Attributed | undefined {
    const hit = this.sessions.get(`${rt.user}\u0000${rt.server}`);
    if (!hit || hit.settled === undefined || this.clock.now() - hit.at >= SESSIONS_TTL_MS) return undefined;
    const notebooks = hit.settled[kernelId] ?? [];
    // Several notebooks and a cell id: their cells decide, which resolve may have to ask for.
    return notebooks.length < 2 || cellId === null ? attribute(notebooks, cellId, () => undefined) : undefined;
  }

  async resolve(rt: RunningRuntime, kernelId: string, cellId: string | null): Promise<Attributed> {
    const byKernel = await this.sessionsOf(rt);
    const notebooks = byKernel[kernelId] ?? [];
    if (notebooks.length < 2 || cellId === null) return attribute(notebooks, cellId, () => undefined);
    const cells = new Map<string, ReadonlySet<string> | undefined>();
    for (const nb of notebooks) {
      let ids = await this.cellsOf(rt, nb, false);
      if (ids !== undefined && !ids.has(cellId)) ids = await this.cellsOf(rt, nb, true);
      cells.set(nb, ids);
    }
    return attribute(notebooks, cellId, (nb) => cells.get(nb));
  }

  private sessionsOf(rt: RunningRuntime): Promise<Record<string, string[]>> {
    const key = `${rt.user}\u0000${rt.server}`;
    const now = this.clock.now();
    const hit = this.sessions.get(key);
    if (hit && now - hit.at < SESSIONS_TTL_MS) return hit.value;
    const value = this.fetchSessions(rt);
    const entry: Cached<Record<string, string[]>> = { at: now, value };
    this.sessions.set(key, entry);
    value.then(
      (v) => (entry.settled = v),
      // A failed answer is not kept: the next execution asks again.
      () => this.sessions.get(key) === entry && this.sessions.delete(key),
    );
    if (this.sessions.size > 10_000) this.sessions.clear();
    return value;
  }

  private async fetchSessions(rt: RunningRuntime): Promise<Record<string, string[]>> {
    const res = await this.call(rt, 'GET', 'api/sessions', 3000);
    if (res.status !== 200 || !Array.isArray(res.body)) throw new Error(`GET api/sessions answered ${res.status}`);
    const out: Record<string, string[]> = {};
    for (const s of res.body as SessionModel[]) {
      const id = s.kernel?.id;
      const path = typeof s.path === 'string' ? s.path : s.notebook?.path;
      // A console or a file editor's session is not a notebook whose cells ran.
      if (typeof id !== 'string' || typeof path !== 'string' || (s.type !== undefined && s.type !== 'notebook')) continue;
      (out[id] ??= []).push(path);
    }
    for (const [id, list] of Object.entries(out)) out[id] = [...new Set(list)].sort();
    return out;
  }

  private cellsOf(rt: RunningRuntime, notebook: string, fresh: boolean): Promise<ReadonlySet<string> | undefined> {
    const key = `${rt.user}\u0000${rt.server}\u0000${notebook}`;
    const now = this.clock.now();
    const hit = this.cells.get(key);
    if (hit && (!fresh || now - hit.at < CELLS_TTL_MS)) return hit.value;
    const value = this.fetchCells(rt, notebook);
    this.cells.set(key, { at: now, value });
    if (this.cells.size > 10_000) this.cells.clear();
    return value;
  }

  private async fetchCells(rt: RunningRuntime, notebook: string): Promise<ReadonlySet<string> | undefined> {
    try {
      const res = await this.call(rt, 'GET', `api/contents/${encodePath(notebook)}?type=notebook&content=1`, 5000);
      const cells = (res.body as { content?: { cells?: unknown } } | null)?.content?.cells;
      if (res.status !== 200 || !Array.isArray(cells)) return undefined;
      return new Set(cells.flatMap((c: { id?: unknown }) => (typeof c?.id === 'string' ? [c.id] : [])));
    } catch {
      return undefined;
    }
  }
}
