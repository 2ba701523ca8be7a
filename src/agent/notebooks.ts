import type { Logger } from '../core/logger.js';
import type { RuntimeApi } from './finder.js';

const SESSIONS_EVERY = 6;
/** Runtimes asked at the same time. */
const ASK_AT_ONCE = 16;

export type NotebooksOf = (api: RuntimeApi) => Promise<Record<string, string[]>>;

/**
 * Which notebooks each runtime's kernels serve, from the runtime's own sessions (DESIGN.md idea 5).
 * Sessions change rarely: a runtime is asked when one of its kernels is new, else every few sweeps.
 */
export class NotebookTracker {
  private readonly notebooks = new Map<string, Record<string, string[]>>();
  private readonly due = new Map<string, number>();
  private readonly asked = new Map<string, Set<string>>();
  private sweep = 0;

  constructor(
    private readonly ask: NotebooksOf,
    private readonly log: Logger,
  ) {}

  /** What was known before a restart, until the runtimes are asked again. */
  preload(known: Record<string, Record<string, string[]>>): void {
    for (const [key, nb] of Object.entries(known)) this.notebooks.set(key, nb);
  }

  /** Asks the runtimes that are due; `runtimes` are those of the last sweep, with the kernels seen in them. */
  async refresh(runtimes: ReadonlyArray<{ key: string; api: RuntimeApi | null; kernels: readonly string[] }>): Promise<void> {
    const n = this.sweep++;
    const due = runtimes.filter(({ key, api, kernels }) => {
      if (!api) return false;
      const unknownKernel = kernels.some((k) => !this.asked.get(key)?.has(k));
      return unknownKernel || (this.due.get(key) ?? 0) <= n;
    });
    // A few at a time: a thousand requests opened in one go hold the event loop (the hub's) for a tenth of a second.
    let next = 0;
    const lane = async () => {
      for (let r = due[next++]; r !== undefined; r = due[next++]) {
        const { key, api, kernels } = r;
        this.asked.set(key, new Set(kernels));
        this.due.set(key, n + SESSIONS_EVERY);
        try {
          this.notebooks.set(key, await this.ask(api as RuntimeApi));
        } catch (err) {
          this.log.debug({ err, runtime: key }, 'agent: sessions not readable; keeping the last known');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(ASK_AT_ONCE, due.length) }, lane));
  }

  /** Forgets runtimes no longer found. */
  retain(live: ReadonlySet<string>): void {
    for (const map of [this.notebooks, this.due, this.asked] as Array<Map<string, unknown>>) {
      for (const key of map.keys()) if (!live.has(key)) map.delete(key);
    }
  }

  all(): Record<string, Record<string, string[]>> {
    return Object.fromEntries(this.notebooks);
  }
}
