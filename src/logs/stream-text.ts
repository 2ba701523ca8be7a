import { open, stat } from 'node:fs/promises';
import { ROTATED } from './layout.js';

interface Part {
  path: string;
  size: number;
}

/**
 * One stream of one start as a single text: the rotated part (`.1`) first, then the live file. Offsets are
 * into that text as it is now; a rotation renumbers them (a reader starting past the end starts again).
 */
export class StreamText {
  private constructor(private readonly parts: Part[]) {}

  static async of(path: string): Promise<StreamText> {
    const size = async (p: string) => stat(p).then((s) => s.size, () => 0);
    return new StreamText([
      { path: path + ROTATED, size: await size(path + ROTATED) },
      { path, size: await size(path) },
    ]);
  }

  get size(): number {
    return this.parts.reduce((n, p) => n + p.size, 0);
  }

  /** Bytes [from, to) of the text (fewer when a file shrank meanwhile). */
  async read(from: number, to: number): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let base = 0;
    for (const p of this.parts) {
      const a = Math.max(from, base);
      const b = Math.min(to, base + p.size);
      if (b > a) chunks.push(await readAt(p.path, a - base, b - a));
      base += p.size;
    }
    return Buffer.concat(chunks);
  }
}

export const readAt = async (path: string, position: number, length: number): Promise<Buffer> => {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, position);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
};
