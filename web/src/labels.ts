import { displayName } from './format.js';
import type { UsageLabels } from './types.js';

/** Kernel ids are UUIDs; their first part is enough to tell a runtime's kernels apart. */
export const shortId = (id: string): string => id.slice(0, 8);

/** A kernel by its notebooks when known, else by its id. */
export const kernelLabel = (id: string, notebooks: readonly string[] | undefined): string =>
  notebooks && notebooks.length > 0 ? notebooks.join(', ') : `kernel ${shortId(id)}`;

/** "alice / default" */
export const serverLabel = (l: UsageLabels): string => `${l.user ?? '?'} / ${displayName(l.server ?? '')}`;

/** The label of a usage series or total of a given grouping; the hub gives '' as the notebook of a kernel without one. */
export const usageLabel = (l: UsageLabels): string => {
  if (l.kernel !== undefined) return `${serverLabel(l)} / ${l.notebook || kernelLabel(l.kernel, undefined)}`;
  if (l.notebook !== undefined) return `${serverLabel(l)} / ${l.notebook || '(no notebook)'}`;
  if (l.server !== undefined) return serverLabel(l);
  return l.user ?? 'others';
};
