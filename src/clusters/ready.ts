/** What the master's `/json/` says of its workers, for a start's readiness and a running cluster's health. */
export interface MasterView {
  alive: number;
  workers: Array<{ id: string; state: string; webuiaddress: string }>;
}

/** The master's JSON, or null when it does not answer (yet). */
export const readMaster = async (uiUrl: string, timeoutMs = 5000): Promise<MasterView | null> => {
  try {
    const r = await fetch(`${uiUrl}/json/`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!r.ok) return null;
    const j = (await r.json()) as { workers?: Array<{ id?: unknown; state?: unknown; webuiaddress?: unknown }> };
    const str = (v: unknown): string => (typeof v === 'string' ? v : '');
    const workers = (j.workers ?? []).map((w) => ({ id: str(w.id), state: str(w.state), webuiaddress: str(w.webuiaddress) }));
    return { alive: workers.filter((w) => w.state === 'ALIVE').length, workers };
  } catch {
    return null;
  }
};
