import { createReadStream, createWriteStream } from 'node:fs';
import { rename, stat, truncate } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { ROTATED } from './layout.js';
import { wholeLines } from './lines.js';
import { readAt } from './stream-text.js';

/** File-system changes of one file within this time make one read, not one each. */
export const WATCH_COALESCE_MS = 50;

/** At most this many catch-up copies before a rotation empties the file. */
const COPY_ROUNDS = 50;

/** The most read into memory at once: a pass over a big backlog goes in chunks. */
export const READ_CHUNK = 1 << 20;

const inodeOf = (path: string): Promise<number | null> => stat(path).then((s) => s.ino, () => null);
const sizeOf = (path: string): Promise<number> => stat(path).then((s) => s.size, () => 0);

/** Copies bytes [from, to) of `src` to `dest` (appended when `append`), streaming. */
const copyRange = async (src: string, dest: string, from: number, to: number, append: boolean): Promise<void> => {
  if (to <= from) {
    if (!append) await pipeline(async function* () {}, createWriteStream(dest));
    return;
  }
  await pipeline(createReadStream(src, { start: from, end: to - 1 }), createWriteStream(dest, { flags: append ? 'a' : 'w' }));
};

/**
 * Reads a growing log file line by line from a byte position. A rotation (the file truncated, its tail moved to
 * `.1`) is seen by the size falling under the position or by a new `.1`, and reading goes on from the start.
 */
export class Tail {
  private constructor(
    readonly path: string,
    public pos: number,
    private rotated: number | null,
  ) {}

  static async at(path: string, pos: number): Promise<Tail> {
    return new Tail(path, pos, await inodeOf(path + ROTATED));
  }

  /**
   * The whole lines written since the last pull, reading at most `maxBytes` (and READ_CHUNK; a longer line is
   * cut there). `more`: the file holds more than was read. `size`: the file's size, -1 when it does not exist.
   */
  async pull(maxBytes: number): Promise<{ lines: string[]; more: boolean; size: number }> {
    const size = await stat(this.path).then((s) => s.size, () => -1);
    if (size < 0) return { lines: [], more: false, size };
    const rotated = await inodeOf(this.path + ROTATED);
    if (size < this.pos || rotated !== this.rotated) {
      this.pos = 0;
      this.rotated = rotated;
    }
    if (size === this.pos) return { lines: [], more: false, size };
    const max = Math.min(maxBytes, READ_CHUNK);
    const buf = await readAt(this.path, this.pos, Math.min(size - this.pos, max));
    let { lines, consumed } = wholeLines(buf);
    if (consumed === 0 && buf.length === max) {
      lines = [buf.toString('utf8')];
      consumed = buf.length;
    }
    this.pos += consumed;
    return { lines, more: this.pos < size && consumed > 0, size };
  }

  /** Moves to the end without reading (nobody wants the lines); the file's size, -1 when it does not exist. */
  async skipToEnd(): Promise<number> {
    const size = await stat(this.path).then((s) => s.size, () => -1);
    if (size < 0) return size;
    this.rotated = await inodeOf(this.path + ROTATED);
    this.pos = size;
    return size;
  }

  /**
   * Rotation, logrotate's copytruncate: the last `keep` bytes to `.1`, then the file emptied (writers append).
   * What was written during the copy is copied after it (until none comes, COPY_ROUNDS at most), so that little is lost in the
   * window copytruncate always has. Returns the newest lines of the copy this reader had not read yet (at
   * most READ_CHUNK of them), and how many bytes it will never read.
   */
  async rotate(keep: number): Promise<{ lines: string[]; skipped: number }> {
    let size = await sizeOf(this.path);
    let from = Math.max(0, size - keep);
    if (from > 0) {
      // The kept part begins with a whole line (a reader of .1 then needs no guess).
      const look = await readAt(this.path, from - 1, Math.min(64 * 1024, size - from + 1));
      const nl = look.indexOf(0x0a);
      if (nl !== -1) from += nl;
    }
    const tmp = `${this.path}${ROTATED}.tmp`;
    await copyRange(this.path, tmp, from, size, false);
    // Each round copies only what came meanwhile, so even a writer printing flat out is caught up with in a
    // few rounds; what it writes between the last look and the truncate is the only loss (copytruncate's window).
    for (let i = 0; i < COPY_ROUNDS; i++) {
      const now = await sizeOf(this.path);
      if (now <= size) break;
      await copyRange(this.path, tmp, size, now, true);
      size = now;
    }
    // What was written during the copy went in too: drop as much from the kept part's head (from a line
    // start again), so the rotated file stays within `keep` like the live one.
    const excess = size - from - keep;
    if (excess > 0) {
      const look = await readAt(tmp, excess - 1, Math.min(64 * 1024, size - from - excess + 1));
      const nl = look.indexOf(0x0a);
      const cut = nl === -1 ? excess : excess + nl;
      await copyRange(tmp, `${tmp}2`, cut, size - from, false);
      await rename(`${tmp}2`, tmp);
      from += cut;
    }
    await truncate(this.path, 0);
    await rename(tmp, this.path + ROTATED);
    const readFrom = Math.max(this.pos, from, size - READ_CHUNK);
    const skipped = Math.max(0, readFrom - this.pos);
    // One byte before, to know whether reading starts a line (its position, the kept part's start) or not.
    const before = readFrom > from ? 1 : 0;
    const read = await readAt(this.path + ROTATED, readFrom - from - before, size - readFrom + before);
    const midLine = before === 1 && read[0] !== 0x0a;
    const unread = read.subarray(before);
    this.pos = 0;
    this.rotated = await inodeOf(this.path + ROTATED);
    // Starting inside a line: its end alone is no line.
    const first = midLine ? unread.indexOf(0x0a) + 1 : 0;
    const rest = unread.subarray(first);
    const { lines, consumed } = wholeLines(rest);
    // The last line, not ended yet, goes on in the emptied file: what was written of it is sent as it is.
    if (consumed < rest.length) lines.push(rest.toString('utf8', consumed));
    return { lines, skipped: skipped + first };
  }
}
