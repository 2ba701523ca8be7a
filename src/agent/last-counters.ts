import type { NewEvent, SampleEvent } from '../core/events.js';
import type { LastCounter } from '../core/store.js';
import type { EventLog } from './log/event-log.js';
import { isSampleLine } from './log/lines.js';

const FORGET_AFTER_MS = 86_400_000;

/**
 * The last counter this agent logged of every series, by runtime: where a runtime's counters continue when
 * the sampler meets it again (a restart of the agent, of its worker, or of the runtime). Rebuilt from the
 * log at start: what the hub has not stored is all still there, and what it stored it can tell.
 */
export class LastLogged {
  private readonly byRuntime = new Map<string, { seen: number; series: Map<string, LastCounter> }>();

  static fromLog(log: EventLog): LastLogged {
    const out = new LastLogged();
    const all: string[][] = [];
    log.scanBack((lines) => {
      all.unshift(lines);
      return false;
    });
    for (const lines of all) {
      for (const line of lines) if (isSampleLine(line)) out.note(JSON.parse(line) as SampleEvent);
    }
    return out;
  }

  note(e: NewEvent | SampleEvent): void {
    if (e.type !== 'sample') return;
    const key = `${e.user}/${e.server}`;
    let r = this.byRuntime.get(key);
    if (!r) this.byRuntime.set(key, (r = { seen: e.time, series: new Map() }));
    r.seen = Math.max(r.seen, e.time);
    const cur = r.series.get(e.kernel);
    if (!cur || e.time >= cur.t) r.series.set(e.kernel, { t: e.time, cpu: e.cpu });
  }

  get(key: string): Map<string, LastCounter> | undefined {
    return this.byRuntime.get(key)?.series;
  }

  /** Runtimes not sampled for a day are forgotten (the hub's store knows them). */
  prune(now: number): void {
    for (const [key, r] of this.byRuntime) if (now - r.seen > FORGET_AFTER_MS) this.byRuntime.delete(key);
  }
}
