import type { Attribution } from '../core/executions.js';

export interface Attributed {
  notebook: string | null;
  attribution: Exclude<Attribution, 'pending'>;
  candidates: string[];
}

/**
 * Which notebook an execution belongs to (issue 4): the kernel's only notebook; among several, the one whose
 * cells hold the cell id the client sent; otherwise ambiguous, with the candidates, and never a guess.
 * `cellsOf` gives a notebook's cell ids, undefined when they could not be read.
 */
export const attribute = (notebooks: readonly string[], cellId: string | null, cellsOf: (notebook: string) => ReadonlySet<string> | undefined): Attributed => {
  if (notebooks.length === 0) return { notebook: null, attribution: 'none', candidates: [] };
  if (notebooks.length === 1) return { notebook: notebooks[0] as string, attribution: 'session', candidates: [] };
  const holding = cellId === null ? [] : notebooks.filter((n) => cellsOf(n)?.has(cellId) === true);
  if (holding.length === 1) return { notebook: holding[0] as string, attribution: 'cell', candidates: [] };
  // Two notebooks holding the same cell id (a copied file) tell nothing apart either.
  return { notebook: null, attribution: 'ambiguous', candidates: holding.length > 1 ? holding : [...notebooks] };
};
