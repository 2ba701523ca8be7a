/**
 * The master UI's `/json/` (Spark 4.x), read by every part that asks a master what it runs: the manager's
 * readiness (its workers ALIVE), the jobs (an application's id by name, a driver's worker), a cell's Spark cost
 * (the running applications). Pure; anything missing or of the wrong type is left out, never thrown on.
 */
export interface MasterApp {
  id: string;
  name: string;
  state: string;
  /** Listed among `activeapps` (running or waiting for cores), not `completedapps`. */
  active: boolean;
}
export interface MasterWorker {
  id: string;
  /** `http://host:port` of its UI (where drivers' logs are read). */
  webui: string;
  /** ALIVE, DEAD, DECOMMISSIONED, … */
  state: string;
}
export interface MasterState {
  /** Active first. */
  apps: MasterApp[];
  workers: MasterWorker[];
}

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export const parseMasterState = (body: unknown): MasterState => {
  const b = obj(body);
  const list = (k: string): Record<string, unknown>[] => (Array.isArray(b[k]) ? (b[k] as unknown[]).map(obj) : []);
  const apps = (k: string, active: boolean): MasterApp[] =>
    list(k).flatMap((a) => {
      const id = str(a['id']);
      return id ? [{ id, name: str(a['name']) ?? '', state: str(a['state']) ?? '', active }] : [];
    });
  const workers = list('workers').flatMap((w) => {
    const id = str(w['id']);
    const webui = str(w['webuiaddress']);
    return id && webui ? [{ id, webui, state: str(w['state']) ?? '' }] : [];
  });
  return { apps: [...apps('activeapps', true), ...apps('completedapps', false)], workers };
};
