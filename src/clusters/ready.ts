import { parseMasterState, type MasterWorker } from './master-json.js';

/** What the master's `/json/` says of its workers, for a start's readiness. */
export interface MasterView {
  alive: number;
  workers: MasterWorker[];
}

/** The master's workers, or null when it does not answer (yet). */
export const readMaster = async (uiUrl: string, timeoutMs = 5000): Promise<MasterView | null> => {
  try {
    const r = await fetch(`${uiUrl}/json/`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return null;
    const { workers } = parseMasterState(await r.json());
    return { alive: workers.filter((w) => w.state === 'ALIVE').length, workers };
  } catch {
    return null;
  }
};
