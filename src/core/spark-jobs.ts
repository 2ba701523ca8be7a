import type { SparkJobRecord } from './clusters.js';
import type { Identity } from './identity.js';
import type { Page } from './store.js';

/**
 * Spark jobs submitted through the hub's API (issue 19): an application file in the object store, a jar run in
 * cluster deploy mode on one of the hub's clusters, or a Python file run in client mode (its driver beside the hub). The API hands over plain values and gets HubErrors back.
 */

/** What a user asks for, as sent (checked by the service, whose 400s name what is wrong). */
export interface JobRequest {
  resource: unknown;
  /** A jar's main class; none for a Python file. */
  main_class?: unknown;
  args?: unknown;
  conf?: unknown;
}

/** A job as the API shows it: the record, and on a single look the end of its driver's output. */
export interface SparkJobView {
  job: SparkJobRecord;
  /** The last ~64 KB of the driver's stdout and stderr, or null where it cannot be read (no driver, cluster down). */
  driverLog: string | null;
}

export interface SparkJobs {
  /** Checks, signs the object's URL and submits through the cluster's master; the record as submitted. */
  submit(who: Identity, cluster: string, request: JobRequest): Promise<SparkJobRecord>;
  /** The cluster's history, newest first (every user of the cluster sees who submitted what). */
  list(who: Identity, cluster: string, page: { offset: number; limit: number; user?: string }): Promise<Page<SparkJobRecord>>;
  /** The job refreshed from the master, with its driver's log. */
  get(who: Identity, cluster: string, id: string): Promise<SparkJobView>;
  /** Asks the master to kill the driver; the record once the master says KILLED (or as it stands). */
  kill(who: Identity, cluster: string, id: string): Promise<SparkJobRecord>;
}
