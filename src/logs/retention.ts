/** One start's files as retention sees them. */
export interface KeptStart {
  id: string;
  bytes: number;
}

/**
 * Which starts go (pure): the oldest first, while more than `keep` starts are kept or they use more than
 * `maxBytes` together. The newest start always stays, whatever its size: it is the one being written.
 */
export const startsToDelete = (starts: readonly KeptStart[], keep: number, maxBytes: number): string[] => {
  const sorted = [...starts].sort((a, b) => Number(a.id) - Number(b.id));
  let count = sorted.length;
  let total = sorted.reduce((n, s) => n + s.bytes, 0);
  const gone: string[] = [];
  for (const s of sorted.slice(0, -1)) {
    if (count <= keep && total <= maxBytes) break;
    gone.push(s.id);
    count -= 1;
    total -= s.bytes;
  }
  return gone;
};
