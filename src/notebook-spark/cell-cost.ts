import { setTimeout as sleep } from 'node:timers/promises';
import { parseMasterState } from '../clusters/master-json.js';
import type { ClusterRecord } from '../core/clusters.js';
import type { SparkCellCost } from '../core/executions.js';
import type { Logger } from '../core/logger.js';
import { cellCost, cellGroup, combine, type CellCost, type SparkJob, type SparkStageAttempt } from './job-cost.js';

/** GET a JSON document; undefined for a 404 (an application or stage the UI no longer knows). */
export type FetchJson = (url: string, signal: AbortSignal) => Promise<unknown>;

export interface SparkRestCellCostOptions {
  /** The cluster a runtime is attached to, while it runs (its user options' spark_cluster). */
  clusterOf: (user: string, server: string) => Pick<ClusterRecord, 'endpoints'> | undefined;
  fetchJson: FetchJson;
  log: Logger;
  /**
   * Spark's API is read every `delayMs` until the cell's jobs are final, for `finalMs` at most; when no job of
   * the cell shows up within `noneMs`, it started none. Spark's status store follows the jobs through its
   * listener bus, which lags behind them on a busy driver: the execute_reply may come first.
   */
  delayMs?: number;
  noneMs?: number;
  finalMs?: number;
}

/**
 * A cell's executor CPU from the cluster's own REST API (issue 19): the master's `/json/` names the running
 * applications; each one's jobs (through the master's reverse proxy, as the UI reaches
 * them) of group `nbhub-<msgId>`, then their stages' executorCpuTime. The execute_reply may come before
 * Spark's status store has taken the jobs' last events, so figures are read again until final (bounded).
 * An application that ended with the cell (spark.stop()) took its UI with it: its jobs cannot be read.
 */
export class SparkRestCellCost implements SparkCellCost {
  constructor(private readonly o: SparkRestCellCostOptions) {}

  async cpuSeconds(cell: { user: string; server: string; msgId: string }, signal: AbortSignal): Promise<number | null> {
    const ui = this.o.clusterOf(cell.user, cell.server)?.endpoints?.ui;
    if (!ui) return null;
    const delay = this.o.delayMs ?? 500;
    const noneReads = Math.max(2, Math.ceil((this.o.noneMs ?? 10_000) / delay) + 1);
    const finalReads = Math.max(noneReads, Math.ceil((this.o.finalMs ?? 30_000) / delay) + 1);
    let last: CellCost = { kind: 'none' };
    try {
      for (let i = 0; i < finalReads && !signal.aborted; i++) {
        if (i > 0) await sleep(delay, undefined, { signal });
        last = await this.read(ui, cellGroup(cell.msgId), signal);
        if (last.kind === 'final') return last.cpuSeconds;
        if (last.kind === 'none' && i + 1 >= noneReads) return null;
      }
    } catch (err) {
      if (!signal.aborted) this.o.log.debug({ err, user: cell.user, server: cell.server }, 'executions: Spark REST API not readable');
      return null;
    }
    if (last.kind === 'pending') this.o.log.info({ user: cell.user, server: cell.server, msgId: cell.msgId }, 'executions: Spark jobs of the cell not final in time; not charged');
    return null;
  }

  private async read(ui: string, group: string, signal: AbortSignal): Promise<CellCost> {
    // Every running application: the master names each one's user as the driver's OS account (SPARK_USER
    // aside), which tells no runtime from another; the group, a request's msg_id, is the cell's alone.
    const apps = parseMasterState(await this.o.fetchJson(`${ui}/json/`, signal)).apps.filter((a) => a.active);
    const costs: CellCost[] = [];
    for (const app of apps) {
      const base = `${ui}/proxy/${encodeURIComponent(app.id)}/api/v1/applications/${encodeURIComponent(app.id)}`;
      const jobs = ((await this.o.fetchJson(`${base}/jobs`, signal)) as SparkJob[] | undefined) ?? [];
      const ids = [...new Set(jobs.filter((j) => j.jobGroup === group).flatMap((j) => j.stageIds))];
      const stages = new Map<number, SparkStageAttempt[]>();
      for (const id of ids) stages.set(id, ((await this.o.fetchJson(`${base}/stages/${id}`, signal)) as SparkStageAttempt[] | undefined) ?? []);
      costs.push(cellCost(group, jobs, stages));
    }
    return combine(costs);
  }
}

/** fetch with a timeout per request; 404 is undefined, other failures throw. */
export const httpFetchJson =
  (timeoutMs: number): FetchJson =>
  async (url, signal) => {
    const res = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]), redirect: 'follow' });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    return (await res.json()) as unknown;
  };
