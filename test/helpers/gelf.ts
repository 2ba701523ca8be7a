import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';

/**
 * GELF receivers for tests, written from the GELF spec rather than from the hub's encoder: UDP datagrams are
 * collected raw (the receiver must keep up with a burst: no work per datagram), then chunks are grouped by
 * their 8-byte message id, ordered by sequence number, joined, and inflated by their magic bytes (gzip 1f 8b,
 * zlib 78, else plain JSON). TCP: null-byte delimited JSON.
 */
export type GelfMessage = Record<string, unknown> & { short_message: string; timestamp: number; level: number; version: string; host: string };

export interface Reassembled {
  messages: GelfMessage[];
  /** Chunked messages with a missing chunk, and datagrams that are not GELF. */
  incomplete: number;
  chunked: number;
  compression: Set<'gzip' | 'zlib' | 'none'>;
}

const inflate = (payload: Buffer, seen: Set<'gzip' | 'zlib' | 'none'>): GelfMessage => {
  if (payload[0] === 0x1f && payload[1] === 0x8b) {
    seen.add('gzip');
    return JSON.parse(gunzipSync(payload).toString('utf8')) as GelfMessage;
  }
  if (payload[0] === 0x78) {
    seen.add('zlib');
    return JSON.parse(inflateSync(payload).toString('utf8')) as GelfMessage;
  }
  seen.add('none');
  return JSON.parse(payload.toString('utf8')) as GelfMessage;
};

/** Datagrams in arrival order → messages in the order of their first datagram. */
export const reassemble = (datagrams: readonly Buffer[]): Reassembled => {
  const out: Reassembled = { messages: [], incomplete: 0, chunked: 0, compression: new Set() };
  const slots: Array<{ payload?: Buffer; id?: string }> = [];
  const chunks = new Map<string, { count: number; parts: Map<number, Buffer> }>();
  for (const d of datagrams) {
    if (d[0] === 0x1e && d[1] === 0x0f) {
      const id = d.subarray(2, 10).toString('hex');
      const seq = d[10] as number;
      const count = d[11] as number;
      let c = chunks.get(id);
      if (!c) {
        chunks.set(id, (c = { count, parts: new Map() }));
        slots.push({ id });
      }
      c.parts.set(seq, d.subarray(12));
    } else {
      slots.push({ payload: d });
    }
  }
  for (const slot of slots) {
    let payload = slot.payload;
    if (slot.id !== undefined) {
      const c = chunks.get(slot.id)!;
      out.chunked++;
      if (c.parts.size !== c.count || c.count > 128) {
        out.incomplete++;
        continue;
      }
      payload = Buffer.concat([...Array(c.count).keys()].map((i) => c.parts.get(i)!));
    }
    try {
      out.messages.push(inflate(payload!, out.compression));
    } catch {
      out.incomplete++;
    }
  }
  return out;
};

export interface UdpReceiver {
  port: number;
  datagrams: Buffer[];
  result(): Reassembled;
  close(): Promise<void>;
}

export const udpReceiver = async (): Promise<UdpReceiver> => {
  // A large receive buffer (the system allows up to net.core.rmem_max): a burst must not overflow it.
  const socket: Socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  const datagrams: Buffer[] = [];
  socket.on('message', (d) => datagrams.push(d));
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    port: socket.address().port,
    datagrams,
    result: () => reassemble(datagrams),
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
};

export interface TcpReceiver {
  port: number;
  messages: GelfMessage[];
  connections: number;
  /** Stops reading (the sender's writes back up), or reads again. */
  pause(paused: boolean): void;
  close(): Promise<void>;
}

/** Listens on `port` (0: any free one; a given one lets a test bring a receiver back where the hub sends). */
export const tcpReceiver = async (port = 0): Promise<TcpReceiver> => {
  const messages: GelfMessage[] = [];
  const sockets = new Set<TcpSocket>();
  let paused = false;
  const r: TcpReceiver = {
    port: 0,
    messages,
    connections: 0,
    pause: (p) => {
      paused = p;
      for (const s of sockets) if (p) s.pause();
      else s.resume();
    },
    close: () =>
      new Promise<void>((done) => {
        for (const s of sockets) s.destroy();
        server.close(() => done());
      }),
  };
  const server: Server = createServer((s) => {
    r.connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    if (paused) s.pause();
    let rest = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      rest = Buffer.concat([rest, d]);
      let at: number;
      while ((at = rest.indexOf(0)) >= 0) {
        messages.push(JSON.parse(rest.subarray(0, at).toString('utf8')) as GelfMessage);
        rest = rest.subarray(at + 1);
      }
    });
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  r.port = (server.address() as { port: number }).port;
  return r;
};
