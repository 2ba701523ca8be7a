import { closeSync, fdatasync, fdatasyncSync, fstatSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { lineLast, lineOffset } from './lines.js';

/** One position in the file every this many lines, to start a read near its offset. */
const INDEX_EVERY = 256;
const READ_CHUNK = 1 << 20;

export const segmentName = (base: number): string => `${String(base).padStart(16, '0')}.log`;
export const SEGMENT_FILE = /^(\d{16})\.log$/;

/**
 * A file of consecutive log lines whose first offset is in its name. Appends go to the newest segment
 * only; an older one is read, deleted once acknowledged, or rewritten once without its samples.
 */
export class Segment {
  /** Last offset in it (base - 1 while empty) and its time. */
  last: number;
  lastTime: number | null = null;
  bytes: number;
  compacted = false;
  private index: Array<{ offset: number; pos: number }> = [];
  private lines = 0;
  private fd: number | null = null;

  private constructor(
    readonly dir: string,
    readonly base: number,
  ) {
    this.last = base - 1;
    this.bytes = 0;
  }

  get file(): string {
    return join(this.dir, segmentName(this.base));
  }

  static create(dir: string, base: number): Segment {
    const s = new Segment(dir, base);
    writeFileSync(s.file, '');
    return s;
  }

  /** Reads an existing segment, cutting a torn last line (a crash in the middle of an append). */
  static load(dir: string, base: number): Segment {
    const s = new Segment(dir, base);
    const fd = openSync(s.file, 'r+');
    try {
      const size = fstatSync(fd).size;
      let pos = 0;
      let good = 0;
      let carry = '';
      const buf = Buffer.alloc(READ_CHUNK);
      while (pos < size) {
        const n = readSync(fd, buf, 0, READ_CHUNK, pos);
        if (n <= 0) break;
        const text = carry + buf.toString('utf8', 0, n);
        let start = 0;
        for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
          const line = text.slice(start, nl);
          const at = good;
          good += Buffer.byteLength(line) + 1;
          s.noteLine(line, at);
          start = nl + 1;
        }
        carry = text.slice(start);
        pos += n;
      }
      if (good < size) ftruncateSync(fd, good);
      s.bytes = good;
    } finally {
      closeSync(fd);
    }
    return s;
  }

  private noteLine(line: string, pos: number): void {
    if (this.lines % INDEX_EVERY === 0) this.index.push({ offset: lineOffset(line), pos });
    this.lines++;
    this.last = lineLast(line);
    if (line.includes('"type":"lost"')) this.compacted = true;
    const t = /"time":(\d+)/.exec(line);
    if (t) this.lastTime = Number(t[1]);
  }

  /**
   * Appends lines (each one event); they become readable once durable. The flush to disk runs off the
   * event loop (it can take tens of milliseconds); appends are not concurrent (the agent sweeps one at a time).
   */
  async append(lines: readonly string[], lastTime: number): Promise<void> {
    const fd = (this.fd ??= openSync(this.file, 'a'));
    const index: Array<{ offset: number; pos: number }> = [];
    let text = '';
    let n = this.lines;
    for (const line of lines) {
      if (n++ % INDEX_EVERY === 0) index.push({ offset: lineOffset(line), pos: this.bytes + Buffer.byteLength(text) });
      text += line + '\n';
    }
    const buf = Buffer.from(text);
    writeSync(fd, buf);
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
    this.index.push(...index);
    this.lines = n;
    this.bytes += buf.length;
    this.last = lineLast(lines[lines.length - 1] as string);
    this.lastTime = lastTime;
  }

  /** Lines whose last offset is after `after`, in order, at most `limit`. */
  read(after: number, limit: number): string[] {
    if (this.last <= after || limit <= 0) return [];
    let start = 0;
    for (const entry of this.index) {
      if (entry.offset > after + 1) break;
      start = entry.pos;
    }
    const out: string[] = [];
    const fd = openSync(this.file, 'r');
    try {
      const buf = Buffer.alloc(READ_CHUNK);
      let pos = start;
      let carry = '';
      while (pos < this.bytes && out.length < limit) {
        const n = readSync(fd, buf, 0, Math.min(READ_CHUNK, this.bytes - pos), pos);
        if (n <= 0) break;
        pos += n;
        const text = carry + buf.toString('utf8', 0, n);
        let from = 0;
        for (let nl = text.indexOf('\n'); nl >= 0 && out.length < limit; nl = text.indexOf('\n', from)) {
          const line = text.slice(from, nl);
          from = nl + 1;
          if (lineLast(line) > after) out.push(line);
        }
        carry = text.slice(from);
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** Every line (for rewriting or scanning). */
  all(): string[] {
    return this.read(this.base - 1, Number.MAX_SAFE_INTEGER);
  }

  /** Replaces the content (atomically: a new file renamed over the old one). */
  rewrite(lines: readonly string[]): void {
    this.closeFd();
    const tmp = `${this.file}.tmp`;
    const text = lines.map((l) => l + '\n').join('');
    writeFileSync(tmp, text);
    const fd = openSync(tmp, 'r');
    fdatasyncSync(fd);
    closeSync(fd);
    renameSync(tmp, this.file);
    const fresh = Segment.load(this.dir, this.base);
    Object.assign(this, { index: fresh.index, lines: fresh.lines, bytes: fresh.bytes, compacted: true });
  }

  remove(): void {
    this.closeFd();
    rmSync(this.file, { force: true });
  }

  closeFd(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
