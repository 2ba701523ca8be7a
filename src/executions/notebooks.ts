import type { Clock } from '../core/clock.js';
import type { KernelLabels, RuntimeClient } from '../core/runtime-client.js';
import type { RunningRuntime } from '../core/usage.js';
import { attribute, type Attributed } from './attribution.js';

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

/**
 * Attribution from the runtime (issue 4): its sessions label each kernel (KernelLabels: consoles included, as
 * usage labels them), and when a kernel serves several, their saved cells tell which holds the cell id (a
 * console has no saved cells: beside a notebook, its executions stay ambiguous, never guessed). Answers are
 * cached briefly so a run of cells costs one sessions call; a cell id not found in a notebook read over a
 * second ago sends for the notebook again (it may have been saved since).
 */
export class RuntimeNotebooks implements NotebookLookup {
  private readonly sessions = new Map<string, Cached<KernelLabels>>();
  private readonly cells = new Map<string, Cached<ReadonlySet<string> | undefined>>();

  constructor(
    private readonly api: Pick<RuntimeClient, 'labelsByKernel' | 'cellIds'>,
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

  private sessionsOf(rt: RunningRuntime): Promise<KernelLabels> {
    const key = `${rt.user}\u0000${rt.server}`;
    const now = this.clock.now();
    const hit = this.sessions.get(key);
    if (hit && now - hit.at < SESSIONS_TTL_MS) return hit.value;
    const value = this.api.labelsByKernel(rt);
    const entry: Cached<KernelLabels> = { at: now, value };
    this.sessions.set(key, entry);
    value.then(
      (v) => (entry.settled = v),
      // A failed answer is not kept: the next execution asks again.
      () => this.sessions.get(key) === entry && this.sessions.delete(key),
    );
    if (this.sessions.size > 10_000) this.sessions.clear();
    return value;
  }

  private cellsOf(rt: RunningRuntime, notebook: string, fresh: boolean): Promise<ReadonlySet<string> | undefined> {
    const key = `${rt.user}\u0000${rt.server}\u0000${notebook}`;
    const now = this.clock.now();
    const hit = this.cells.get(key);
    if (hit && (!fresh || now - hit.at < CELLS_TTL_MS)) return hit.value;
    // Unreadable (not saved yet, not a notebook): the cells tell nothing.
    const value = this.api.cellIds(rt, notebook).catch(() => undefined);
    this.cells.set(key, { at: now, value });
    if (this.cells.size > 10_000) this.cells.clear();
    return value;
  }
}
