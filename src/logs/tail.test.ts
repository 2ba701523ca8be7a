import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { READ_CHUNK, Tail } from './tail.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nbhub-tail-'));
  path = join(dir, '1-runtime.log');
  writeFileSync(path, '');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const numbered = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `line ${String(from + i).padStart(7, '0')}\n`).join('');

describe('Tail', () => {
  it('reads a big backlog in chunks, whole lines each time, none lost or twice', async () => {
    appendFileSync(path, numbered(0, 300_000));
    const tail = await Tail.at(path, 0);
    const got: string[] = [];
    let pulls = 0;
    for (let more = true; more; pulls++) {
      const r = await tail.pull(1 << 30);
      got.push(...r.lines);
      more = r.more;
    }
    expect(pulls).toBeGreaterThan(statSync(path).size / READ_CHUNK);
    expect(got.length).toBe(300_000);
    expect(got.at(-1)).toBe('line 0299999');
  });

  it('rotates: keeps the tail in .1, empties the file, hands over the lines it had not read', async () => {
    appendFileSync(path, numbered(0, 100));
    const tail = await Tail.at(path, 0);
    await tail.pull(13 * 10);
    const rest = await tail.rotate(13 * 20);
    expect(statSync(path).size).toBe(0);
    expect(readFileSync(`${path}.1`, 'utf8')).toBe(numbered(80, 100));
    expect(rest.lines).toEqual(numbered(80, 100).trimEnd().split('\n'));
    expect(rest.skipped).toBe(13 * 70);
    appendFileSync(path, 'after\n');
    expect((await tail.pull(1000)).lines).toEqual(['after']);
  });
});
