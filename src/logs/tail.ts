import { rename, stat, truncate, writeFile } from 'node:fs/promises';
import { ROTATED } from './layout.js';
import { wholeLines } from './lines.js';
import { readAt } from './stream-text.js';

const inodeOf = (path: string): Promise<number | null> => stat(path).then((s) => s.ino, () => null);

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
   * The whole lines written since the last pull, reading at most `maxBytes` (a longer line is cut there).
   * `more`: the file holds more than was read. `size`: the file's size, -1 when it does not exist (yet).
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
    const buf = await readAt(this.path, this.pos, Math.min(size - this.pos, maxBytes));
    let { lines, consumed } = wholeLines(buf);
    if (consumed === 0 && buf.length === maxBytes) {
      lines = [buf.toString('utf8')];
      consumed = buf.length;
    }
    this.pos += consumed;
    return { lines, more: this.pos < size && consumed > 0, size };
  }

  /**
   * Rotation, logrotate's copytruncate: the last `keep` bytes to `.1`, the file emptied (writers append).
   * Returns the lines of the kept tail this reader had not read yet (the newest ones), and how many bytes
   * between its position and the kept tail it will never read.
   */
  async rotate(keep: number): Promise<{ lines: string[]; skipped: number }> {
    const size = await stat(this.path).then((s) => s.size, () => 0);
    const from = Math.max(0, size - keep);
    const tail = await readAt(this.path, from, Math.min(size, keep));
    // Right after the copy, so that little written meanwhile is lost (copytruncate's known window).
    await truncate(this.path, 0);
    const tmp = `${this.path}${ROTATED}.tmp`;
    await writeFile(tmp, tail);
    await rename(tmp, this.path + ROTATED);
    const unread = tail.subarray(Math.max(0, this.pos - from));
    const skipped = Math.max(0, from - this.pos);
    this.pos = 0;
    this.rotated = await inodeOf(this.path + ROTATED);
    // Starting inside a line: its end alone is no line.
    const first = skipped > 0 ? unread.indexOf(0x0a) + 1 : 0;
    const rest = unread.subarray(first);
    const { lines, consumed } = wholeLines(rest);
    // The last line, not ended yet, goes on in the emptied file: what was written of it is sent as it is.
    if (consumed < rest.length) lines.push(rest.toString('utf8', consumed));
    return { lines, skipped: skipped + first };
  }
}
