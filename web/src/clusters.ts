import type { ClusterState, SparkJobModel } from './types.js';

/** Spark's final driver states: nothing to kill any more. */
const FINAL_JOB_STATES = new Set(['FINISHED', 'FAILED', 'KILLED', 'ERROR', 'UNKNOWN']);

export const jobFinished = (j: Pick<SparkJobModel, 'state'>): boolean => FINAL_JOB_STATES.has(j.state.toUpperCase());

/** A list as the API gives it: a plain array, or a page `{items: […]}`. */
export const itemsOf = <T>(answer: T[] | { items?: T[] } | null | undefined): T[] => (Array.isArray(answer) ? answer : (answer?.items ?? []));

/** The badge class of a cluster's state (the server states' colours: starting and stopping are pending). */
export const clusterBadge = (s: ClusterState): string => (s === 'starting' ? 'badge-pending' : `badge-${s}`);

/** The badge class of a job's state. */
export const jobBadge = (state: string): string => {
  const s = state.toUpperCase();
  if (s === 'RUNNING') return 'badge-running';
  if (s === 'FINISHED') return '';
  if (s === 'SUBMITTED' || s === 'RELAUNCHING') return 'badge-pending';
  return 'badge-failed';
};

/** A time the API gives as ISO text or epoch milliseconds, as ISO text (for `ago`); null stays null. */
export const isoOf = (t: string | number | null | undefined): string | null => (t === null || t === undefined ? null : typeof t === 'number' ? new Date(t).toISOString() : t);

/** "2 × 1 core, 1g" */
export const clusterShape = (c: { workers: number; worker_cores: number; worker_memory: string }): string =>
  `${c.workers} × ${c.worker_cores} ${c.worker_cores === 1 ? 'core' : 'cores'}, ${c.worker_memory}`;

/** The users field of the create form ("bob, carol") as names, blanks dropped. */
export const userList = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Why the create form's values cannot be sent, or undefined (the hub checks again and says why in its words). */
export const newClusterProblem = (v: { name: string; workers: string; cores: string; memory: string }): string | undefined => {
  if (v.name.trim() === '') return 'Name: give the cluster a name';
  if (!/^[1-9][0-9]*$/.test(v.workers)) return 'Workers: a whole number, 1 or more';
  if (!/^[1-9][0-9]*$/.test(v.cores)) return 'Cores per worker: a whole number, 1 or more';
  if (!/^[1-9][0-9]*[mg]$/i.test(v.memory)) return 'Memory per worker: a size such as 512m or 1g';
  return undefined;
};
