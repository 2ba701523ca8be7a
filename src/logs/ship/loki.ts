import type { LogLine } from '../../core/logs.js';
import { lokiPush, Stamper } from './loki-payload.js';
import { SinkError, type BatchSink, type SendResult } from './sink.js';

export interface LokiOptions {
  url: string;
  labels: Readonly<Record<string, string>>;
  username: string;
  password: string;
  tenant: string;
  batchLines: number;
  flushMs: number;
  hubInstance: string;
  /** A push not answered within this time is abandoned and retried (default 10 s). */
  timeoutMs?: number;
}

/**
 * Loki's push API over HTTP(S), JSON. 2xx: shipped. 429 and 5xx (and no answer): retried with backoff by the
 * Shipper. Any other 4xx: Loki will never take this batch (too old, too long, bad labels); dropped, counted as
 * rejected, with Loki's reason in the debug log.
 */
export class LokiSink implements BatchSink {
  readonly name: string;
  readonly batchLines: number;
  readonly lingerMs: number;
  private readonly stamper = new Stamper();
  private readonly headers: Record<string, string>;

  constructor(private readonly o: LokiOptions) {
    const u = new URL(o.url);
    this.name = `loki+${u.protocol.slice(0, -1)}://${u.host}${u.pathname}`;
    this.batchLines = o.batchLines;
    this.lingerMs = o.flushMs;
    this.headers = { 'content-type': 'application/json' };
    if (o.username) this.headers['authorization'] = 'Basic ' + Buffer.from(`${o.username}:${o.password}`).toString('base64');
    if (o.tenant) this.headers['x-scope-orgid'] = o.tenant;
  }

  async send(lines: readonly LogLine[], signal: AbortSignal): Promise<SendResult> {
    const body = JSON.stringify(lokiPush(lines, { hubInstance: this.o.hubInstance, labels: this.o.labels, stamper: this.stamper }));
    let res: Response;
    try {
      res = await fetch(this.o.url, { method: 'POST', headers: this.headers, body, signal: AbortSignal.any([signal, AbortSignal.timeout(this.o.timeoutMs ?? 10_000)]) });
    } catch (err) {
      throw new SinkError(`${this.name}: ${(err as Error).message}`, true);
    }
    const text = await res.text().catch(() => '');
    if (res.ok) return { truncated: 0, failed: 0 };
    throw new SinkError(`${this.name} answered ${res.status}: ${text.slice(0, 200)}`, res.status === 429 || res.status >= 500);
  }

  async close(): Promise<void> {}
}
