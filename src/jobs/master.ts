import type { SparkEndpoints } from '../core/clusters.js';
import { HubError } from '../core/errors.js';
import { parseMasterState, type MasterState } from '../clusters/master-json.js';
import { parseCreateResponse, parseKillResponse, parseStatusResponse, stripLogHeader, type CreateAnswer, type DriverStatus } from './spark-rest.js';

/** What the jobs service asks of a cluster's master (its REST server and UI), reached on the cluster's network only. */
export interface SparkMaster {
  submit(endpoints: SparkEndpoints, request: Record<string, unknown>): Promise<CreateAnswer>;
  /** null: the master does not know the driver. */
  status(endpoints: SparkEndpoints, submissionId: string): Promise<DriverStatus | null>;
  kill(endpoints: SparkEndpoints, submissionId: string): Promise<{ ok: boolean; message: string | null }>;
  state(endpoints: SparkEndpoints): Promise<MasterState>;
  /** The last `bytes` of a driver's stdout or stderr, through the UI of the worker it runs on. */
  driverLog(workerUi: string, submissionId: string, stream: 'stdout' | 'stderr', bytes: number): Promise<string>;
}

const unreachable = (what: string, err: unknown): HubError =>
  new HubError('UNAVAILABLE', `The cluster's master did not answer (${what}): ${(err as Error).message}`, { cause: err });

/** Over fetch, with a bound on each call: a master that hangs must not hold an API request or the poller. */
export class HttpSparkMaster implements SparkMaster {
  constructor(private readonly o: { timeoutMs: number }) {}

  private async call(what: string, url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
    try {
      const r = await fetch(url, { ...init, signal: AbortSignal.timeout(this.o.timeoutMs) });
      const text = await r.text();
      let body: unknown = null;
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text.slice(0, 500) };
      }
      return { status: r.status, body };
    } catch (err) {
      throw unreachable(what, err);
    }
  }

  async submit(e: SparkEndpoints, request: Record<string, unknown>): Promise<CreateAnswer> {
    const r = await this.call('submit', `${e.rest}/v1/submissions/create`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
    return parseCreateResponse(r.status, r.body);
  }

  async status(e: SparkEndpoints, id: string): Promise<DriverStatus | null> {
    return parseStatusResponse((await this.call('status', `${e.rest}/v1/submissions/status/${encodeURIComponent(id)}`)).body);
  }

  async kill(e: SparkEndpoints, id: string): Promise<{ ok: boolean; message: string | null }> {
    return parseKillResponse((await this.call('kill', `${e.rest}/v1/submissions/kill/${encodeURIComponent(id)}`, { method: 'POST' })).body);
  }

  async state(e: SparkEndpoints): Promise<MasterState> {
    // `/json` redirects; `/json/` answers.
    return parseMasterState((await this.call('state', `${e.ui}/json/`)).body);
  }

  async driverLog(workerUi: string, id: string, stream: 'stdout' | 'stderr', bytes: number): Promise<string> {
    // Without an offset the worker sends the last byteLength bytes.
    const url = `${workerUi}/log/?driverId=${encodeURIComponent(id)}&logType=${stream}&byteLength=${bytes}`;
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs) });
      if (!r.ok) return '';
      return stripLogHeader(await r.text());
    } catch (err) {
      throw unreachable('driver log', err);
    }
  }
}
