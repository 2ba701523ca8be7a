import { connect, type Socket } from 'node:net';
import type { LogLine } from '../../core/logs.js';
import { gelfMessage, type GelfSource } from './gelf-message.js';
import { SinkError, type BatchSink, type SendResult } from './sink.js';

export interface GelfTcpOptions {
  host: string;
  port: number;
  source: GelfSource;
  /** A connection not made, or a write not taken, within this time is given up (and retried by the Shipper). */
  timeoutMs?: number;
}

const BATCH_LINES = 512;

/**
 * GELF over TCP: uncompressed messages, each ended by a null byte (the spec: no compression, the null byte is
 * the frame delimiter). One connection, made again after it fails, the Shipper's backoff between tries. A
 * receiver that stops reading holds a batch at most `timeoutMs`; the connection is then dropped and made again.
 */
export class GelfTcpSink implements BatchSink {
  readonly name: string;
  readonly batchLines = BATCH_LINES;
  readonly lingerMs = 0;
  private socket: Socket | null = null;

  constructor(private readonly o: GelfTcpOptions) {
    this.name = `gelf+tcp://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  }

  async send(lines: readonly LogLine[], signal: AbortSignal): Promise<SendResult> {
    const socket = this.socket && !this.socket.destroyed && this.socket.writable ? this.socket : await this.connect(signal);
    // Labels and text are JSON-escaped, so a message holds no null byte of its own.
    const body = Buffer.from(lines.map((l) => gelfMessage(l, this.o.source) + '\0').join(''));
    if (!socket.write(body)) await this.drained(socket, signal);
    return { truncated: 0, failed: 0 };
  }

  async close(): Promise<void> {
    const s = this.socket;
    this.socket = null;
    if (!s) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => (s.destroy(), resolve()), this.timeoutMs());
      s.end(() => (clearTimeout(timer), resolve()));
    });
    s.destroy();
  }

  private timeoutMs(): number {
    return this.o.timeoutMs ?? 10_000;
  }

  private connect(signal: AbortSignal): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: this.o.host, port: this.o.port, noDelay: false, timeout: this.timeoutMs() });
      const fail = (why: string) => {
        cleanup();
        s.destroy();
        reject(new SinkError(`cannot connect to ${this.name}: ${why}`, true));
      };
      const onError = (err: Error) => fail(err.message);
      const onTimeout = () => fail('timed out');
      const onAbort = () => fail('hub stopping');
      const cleanup = () => {
        s.off('error', onError);
        s.off('timeout', onTimeout);
        signal.removeEventListener('abort', onAbort);
      };
      s.once('error', onError);
      s.once('timeout', onTimeout);
      signal.addEventListener('abort', onAbort, { once: true });
      s.once('connect', () => {
        cleanup();
        s.setTimeout(0);
        s.setKeepAlive(true, 30_000);
        // A broken connection is noticed here and made again on the next batch.
        s.on('error', () => undefined);
        s.once('close', () => {
          if (this.socket === s) this.socket = null;
        });
        // Nothing is expected from the receiver; reading keeps the socket from filling with anything it sends.
        s.resume();
        this.socket = s;
        resolve(s);
      });
    });
  }

  /** Waits until the socket took the write; a receiver that does not read within the timeout loses the connection. */
  private drained(s: Socket, signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const end = (err?: string) => {
        clearTimeout(timer);
        s.off('drain', onDrain);
        s.off('close', onClose);
        signal.removeEventListener('abort', onAbort);
        if (!err) return resolve();
        if (this.socket === s) this.socket = null;
        s.destroy();
        reject(new SinkError(`${this.name}: ${err}`, true));
      };
      const onDrain = () => end();
      const onClose = () => end('connection closed');
      const onAbort = () => end('hub stopping');
      const timer = setTimeout(() => end('receiver does not read'), this.timeoutMs());
      s.once('drain', onDrain);
      s.once('close', onClose);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
