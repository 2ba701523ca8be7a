import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import type { LogLine } from '../../core/logs.js';
import { encodeGelfUdp, type GelfCompression, type UdpEncoding } from './gelf-chunks.js';
import { gelfMessage, type GelfSource } from './gelf-message.js';
import { SinkError, type BatchSink, type SendResult } from './sink.js';

export interface GelfUdpOptions {
  host: string;
  port: number;
  compression: GelfCompression;
  chunkSize: number;
  source: GelfSource;
}

const BATCH_LINES = 256;

/**
 * GELF over UDP: one message per line, compressed, chunked when larger than a datagram. UDP never waits for
 * the receiver; a datagram the system refuses (ICMP port unreachable on the connected socket) loses its line,
 * counted as send_failed, and is not sent again.
 */
export class GelfUdpSink implements BatchSink {
  readonly name: string;
  readonly batchLines = BATCH_LINES;
  readonly lingerMs = 0;
  private socket: Promise<Socket> | null = null;
  /** Message ids: 4 random bytes for this sink, then a counter (unique per sink, no randomness per line). */
  private readonly idPrefix = randomBytes(4);
  private counter = 0;

  constructor(private readonly o: GelfUdpOptions) {
    this.name = `gelf+udp://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  }

  async send(lines: readonly LogLine[]): Promise<SendResult> {
    const socket = await this.connected();
    let truncated = 0;
    let failed = 0;
    let pending = 0;
    let allSent!: () => void;
    const done = new Promise<void>((r) => (allSent = r));
    for (const line of lines) {
      let enc: UdpEncoding;
      try {
        enc = encodeGelfUdp(line.line, (text) => gelfMessage(line, this.o.source, text), { compression: this.o.compression, chunkSize: this.o.chunkSize, messageId: this.nextId() });
      } catch {
        // Labels too long for 128 chunks even without the text: this line cannot go, the others can.
        failed++;
        continue;
      }
      if (enc.truncated) truncated++;
      let lineFailed = false;
      for (const datagram of enc.datagrams) {
        pending++;
        socket.send(datagram, (err) => {
          if (err && !lineFailed) {
            lineFailed = true;
            failed++;
          }
          if (--pending === 0) allSent();
        });
      }
    }
    if (pending > 0) await done;
    return { truncated, failed };
  }

  async close(): Promise<void> {
    const s = await this.socket?.catch(() => null);
    s?.close();
    this.socket = null;
  }

  private nextId(): Buffer {
    const id = Buffer.allocUnsafe(8);
    this.idPrefix.copy(id, 0);
    id.writeUInt32BE(this.counter, 4);
    this.counter = (this.counter + 1) >>> 0;
    return id;
  }

  /** One connected socket: the name is resolved once (v4 or v6), and the kernel tells of a refused port. */
  private connected(): Promise<Socket> {
    this.socket ??= lookup(this.o.host).then(
      ({ address, family }) =>
        new Promise<Socket>((resolve, reject) => {
          const s = createSocket(family === 6 ? 'udp6' : 'udp4');
          s.once('error', (err) => {
            s.close();
            reject(new SinkError(`cannot reach ${this.name}: ${err.message}`, true));
          });
          s.connect(this.o.port, address, () => {
            s.removeAllListeners('error');
            // Later errors are reported by each send's callback; an 'error' event without a listener would throw.
            s.on('error', () => undefined);
            resolve(s);
          });
        }),
      (err: Error) => Promise.reject(new SinkError(`cannot resolve ${this.o.host}: ${err.message}`, true)),
    );
    const current = this.socket;
    current.catch(() => {
      if (this.socket === current) this.socket = null;
    });
    return current;
  }
}
