import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { notFound } from '../core/errors.js';
import type { KeptStream, LogPage, LogRange, LogStart } from '../core/logs.js';
import { logName, ROTATED } from './layout.js';
import { followFile } from './follow.js';
import { matcher, windowLines } from './lines.js';
import { readStarts } from './starts.js';
import { StreamText } from './stream-text.js';

export interface LogDirOptions {
  /** logs.bytes_per_file: a stream holds about twice that (the file and its rotated part); reads stop there. */
  bytesPerFile: number;
  pollMs: number;
}

const FIRST_WINDOW = 64 * 1024;
/** The most one request reads: a tail looks back this far at most, a window reads this much at most. */
const MAX_TAIL_SCAN = 32 << 20;
const MAX_WINDOW = 4 << 20;
const NL = 0x0a;

/** The kept starts of one log directory (a server's or a service's, layout.ts), read and followed. */
export class LogDirReader {
  constructor(private readonly o: LogDirOptions) {}

  async read(dir: string, range: LogRange): Promise<LogPage> {
    const starts = await readStarts(dir);
    const start = pick(starts, range.start);
    const empty: LogPage = { starts, start, stream: range.stream, lines: [], next: 0 };
    if (!start) return empty;
    if (!start.streams.includes(range.stream)) {
      // A start's main stream exists once it began; a runtime may not have written yet.
      if (range.stream === 'runtime' || range.stream === 'service') return empty;
      throw notFound(`stream: start ${start.id} has no output of ${range.stream}; it has ${start.streams.join(', ')}`);
    }
    const text = await StreamText.of(join(dir, logName(start.id, range.stream)));
    const found = range.offset === undefined ? await this.tail(text, range) : await this.window(text, range.offset, range);
    return { ...empty, ...found };
  }

  /** The last `tail` lines matching `q`, looking back at most twice bytes_per_file (and MAX_TAIL_SCAN). */
  private async tail(text: StreamText, r: LogRange): Promise<{ lines: string[]; next: number }> {
    const size = text.size;
    const limit = Math.min(size, 2 * this.o.bytesPerFile, MAX_TAIL_SCAN);
    const match = matcher(r.q);
    for (let w = Math.min(FIRST_WINDOW, limit); ; w = Math.min(w * 4, limit)) {
      const from = size - w;
      const buf = await text.read(from, size);
      const cut = windowLines(buf, from === 0);
      let lines = cut.lines;
      if (r.wholeLinesOnly && from + cut.wholeBytes < size) lines = lines.slice(0, -1);
      lines = lines.filter(match);
      if (lines.length >= r.tail || w >= limit) return { lines: r.tail === 0 ? [] : lines.slice(-r.tail), next: from + cut.wholeBytes };
    }
  }

  /** Up to `limit` lines matching `q` from byte `offset` on, reading at most MAX_WINDOW (`next` goes on). */
  private async window(text: StreamText, offset: number, r: LogRange): Promise<{ lines: string[]; next: number }> {
    const size = text.size;
    if (offset >= size) return { lines: [], next: size };
    const buf = await text.read(offset, Math.min(size, offset + MAX_WINDOW));
    const match = matcher(r.q);
    const lines: string[] = [];
    let from = 0;
    for (let i = buf.indexOf(NL); i !== -1 && lines.length < r.limit; i = buf.indexOf(NL, from)) {
      const line = buf.toString('utf8', from, i > from && buf[i - 1] === 0x0d ? i - 1 : i);
      if (match(line)) lines.push(line);
      from = i + 1;
    }
    return { lines, next: offset + from };
  }

  follow(dir: string, start: string, stream: KeptStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void {
    const path = join(dir, logName(start, stream));
    // `from` counts the rotated part first (StreamText); the live file begins after it.
    void stat(path + ROTATED)
      .then((s) => s.size, () => 0)
      .then((rotated) => {
        if (!signal.aborted) followFile(path, Math.max(0, from - rotated), { pollMs: this.o.pollMs, maxBytes: this.o.bytesPerFile }, signal, send);
      });
  }
}

/** `latest`, a start's id, or its index among the kept starts (0: the oldest). */
const pick = (starts: LogStart[], which: string): LogStart | null => {
  if (starts.length === 0) {
    if (which === 'latest') return null;
    throw notFound(`start: no start ${JSON.stringify(which)}; none is kept`);
  }
  if (which === 'latest') return starts.at(-1) ?? null;
  const byId = starts.find((s) => s.id === which);
  if (byId) return byId;
  const index = /^\d{1,6}$/.test(which) ? starts[Number(which)] : undefined;
  if (index) return index;
  throw notFound(`start: no start ${JSON.stringify(which)}; kept: ${starts.map((s, i) => `${i} (${s.id})`).join(', ')}`);
};
