import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { reassemble } from '../../../test/helpers/gelf.js';
import type { LogLine } from '../../core/logs.js';
import { CHUNK_HEADER_BYTES, chunkMessage, encodeGelfUdp, maxMessageBytes, type GelfCompression } from './gelf-chunks.js';
import { gelfLevel, gelfMessage } from './gelf-message.js';

const source = { host: 'hub-host', hubInstance: 'hub-host:8000' };
const line = (text: string, o: Partial<LogLine> = {}): LogLine => ({ at: 1_760_000_000_123, stream: 'runtime', user: 'alice', server: 'gpu', profile: 'big', line: text, ...o });
let nextId = 0;
const encode = (l: LogLine, compression: GelfCompression, chunkSize = 1420) => {
  const messageId = Buffer.alloc(8);
  messageId.writeUInt32BE(++nextId, 4);
  return encodeGelfUdp(l.line, (t) => gelfMessage(l, source, t), { compression, chunkSize, messageId });
};

describe('GELF message', () => {
  it('has the GELF 1.1 fields and the labels as additional fields, never _id', () => {
    const m = JSON.parse(gelfMessage(line('hello "world"'), source));
    expect(m).toEqual({
      version: '1.1',
      host: 'hub-host',
      short_message: 'hello "world"',
      timestamp: 1_760_000_000.123,
      level: 6,
      _user: 'alice',
      _server: 'gpu',
      _profile: 'big',
      _stream: 'runtime',
      _hub_instance: 'hub-host:8000',
    });
    expect(m).not.toHaveProperty('_id');
    expect(JSON.parse(gelfMessage(line(''), source)).short_message).not.toBe('');
  });
  it("takes a hub line's level from pino's, as a syslog severity", () => {
    expect(gelfLevel(line('{"level":50,"msg":"x"}', { stream: 'hub' }))).toBe(3);
    expect(gelfLevel(line('{"level":40,"msg":"x"}', { stream: 'hub' }))).toBe(4);
    expect(gelfLevel(line('{"level":30,"msg":"x"}', { stream: 'hub' }))).toBe(6);
    expect(gelfLevel(line('{"level":20,"msg":"x"}', { stream: 'hub' }))).toBe(7);
    expect(gelfLevel(line('{"level":60,"msg":"x"}', { stream: 'hub' }))).toBe(2);
    // A runtime printing JSON is not taken at its word.
    expect(gelfLevel(line('{"level":50}'))).toBe(6);
  });
});

describe('GELF over UDP: compression and chunking', () => {
  it('sends a short message in one datagram, compressed as configured', () => {
    for (const c of ['gzip', 'zlib', 'none'] as const) {
      const enc = encode(line('short'), c);
      expect(enc.datagrams).toHaveLength(1);
      const r = reassemble(enc.datagrams);
      expect(r.compression).toEqual(new Set([c]));
      expect(r.messages[0]?.short_message).toBe('short');
    }
  });
  it('splits a long message into chunks with the magic bytes, one id, sequence numbers and count, and they reassemble', () => {
    // Base64 of random bytes compresses little: 53 KB of text needs 29 chunks of 1408 bytes or more.
    const text = randomBytes(40_000).toString('base64');
    for (const c of ['gzip', 'zlib', 'none'] as const) {
      const enc = encode(line(text), c);
      expect(enc.truncated).toBe(false);
      expect(enc.datagrams.length).toBeGreaterThan(20);
      const ids = new Set(enc.datagrams.map((d) => d.subarray(2, 10).toString('hex')));
      expect(ids.size).toBe(1);
      enc.datagrams.forEach((d, i) => {
        expect([d[0], d[1]]).toEqual([0x1e, 0x0f]);
        expect(d[10]).toBe(i);
        expect(d[11]).toBe(enc.datagrams.length);
        expect(d.length).toBeLessThanOrEqual(1420);
      });
      // Out of order, interleaved with another message: the receiver orders by sequence number.
      const other = encode(line('other'), c).datagrams;
      const shuffled = [...enc.datagrams].reverse();
      shuffled.splice(3, 0, ...other);
      const r = reassemble(shuffled);
      expect(r.incomplete).toBe(0);
      expect(r.messages.map((m) => m.short_message).sort()).toEqual([text, 'other'].sort());
    }
  });
  it('cuts a message that would need more than 128 chunks, marks and counts it', () => {
    const chunkSize = 512;
    const text = randomBytes(maxMessageBytes(chunkSize)).toString('base64');
    for (const c of ['gzip', 'none'] as const) {
      const enc = encode(line(text), c, chunkSize);
      expect(enc.truncated).toBe(true);
      expect(enc.datagrams.length).toBeLessThanOrEqual(128);
      expect(enc.datagrams.length).toBeGreaterThan(64);
      const m = reassemble(enc.datagrams).messages[0]!;
      expect(m.short_message.endsWith(' [truncated]')).toBe(true);
      expect(text.startsWith(m.short_message.slice(0, -' [truncated]'.length))).toBe(true);
      expect(m._user).toBe('alice');
    }
  });
  it('refuses to chunk past 128 chunks', () => {
    expect(() => chunkMessage(Buffer.alloc(129 * (100 - CHUNK_HEADER_BYTES)), 100, Buffer.alloc(8))).toThrow(/129 chunks/);
    expect(chunkMessage(Buffer.alloc(128 * (100 - CHUNK_HEADER_BYTES)), 100, Buffer.alloc(8))).toHaveLength(128);
  });
});
