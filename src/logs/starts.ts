import { readdirSync, statSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogStart, KeptStream } from '../core/logs.js';
import { metaName, parseLogName } from './layout.js';

export interface SizedName {
  name: string;
  size: number;
}

/** The starts in a server's log directory (pure): ids, the streams each has, and the bytes they use. */
export const groupStarts = (files: readonly SizedName[]): Map<string, { bytes: number; streams: Set<KeptStream> }> => {
  const starts = new Map<string, { bytes: number; streams: Set<KeptStream> }>();
  for (const f of files) {
    const parsed = parseLogName(f.name);
    if (!parsed) continue;
    const s = starts.get(parsed.start) ?? { bytes: 0, streams: new Set<KeptStream>() };
    starts.set(parsed.start, s);
    s.bytes += f.size;
    if (parsed.kind === 'log' && parsed.suffix !== '.pos') s.streams.add(parsed.stream);
  }
  return starts;
};

const sizedSync = (dir: string): SizedName[] => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    try {
      return [{ name, size: statSync(join(dir, name)).size }];
    } catch {
      return [];
    }
  });
};

const sized = async (dir: string): Promise<SizedName[]> => {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const all = await Promise.all(names.map((name) => stat(join(dir, name)).then((s) => ({ name, size: s.size }), () => null)));
  return all.filter((x): x is SizedName => x !== null);
};

export const startIdsSync = (dir: string): Array<{ id: string; bytes: number }> =>
  [...groupStarts(sizedSync(dir))].map(([id, s]) => ({ id, bytes: s.bytes })).sort((a, b) => Number(a.id) - Number(b.id));

/** A start's labels, written when it began. */
export interface StartMeta {
  profile: string;
  started_at: number;
}

export const readMeta = async (dir: string, start: string): Promise<StartMeta | null> => {
  try {
    const m = JSON.parse(await readFile(join(dir, metaName(start)), 'utf8')) as Partial<StartMeta>;
    return { profile: typeof m.profile === 'string' ? m.profile : '', started_at: typeof m.started_at === 'number' ? m.started_at : Number(start) };
  } catch {
    return null;
  }
};

/** The main stream of a start, listed first: a runtime's, a cluster's master's. */
const first = (s: KeptStream): boolean => s === 'runtime' || s === 'process:master';

/** Every kept start of a server, service or cluster, oldest first (the main stream first, then worker-2 before worker-10). */
export const readStarts = async (dir: string): Promise<LogStart[]> => {
  const groups = [...groupStarts(await sized(dir))].sort(([a], [b]) => Number(a) - Number(b));
  return Promise.all(
    groups.map(async ([id, g]) => {
      const meta = await readMeta(dir, id);
      const streams = [...g.streams].sort((a, b) => (first(a) ? -1 : first(b) ? 1 : a.localeCompare(b, 'en', { numeric: true })));
      return { id, startedAt: meta?.started_at ?? Number(id), profile: meta?.profile ?? '', streams, bytes: g.bytes };
    }),
  );
};
