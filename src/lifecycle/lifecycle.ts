import type { AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import type { CullScope } from '../core/culling.js';
import type { Logger } from '../core/logger.js';
import type { ServerLogs } from '../core/logs.js';
import type { RuntimeEnvironment, Spawner } from '../core/spawner.js';
import type { Store } from '../core/store.js';
import { ActivityBook } from './activity.js';
import { Directory } from './directory.js';
import { PortDirectory } from './ports.js';
import { Reconciler } from './reconciler.js';
import { RecordIndex } from './record-index.js';
import { Requests } from './requests.js';
import { KeyedSerial } from './serial.js';

export interface LifecycleOptions {
  store: Store;
  spawner: Spawner;
  clock: Clock;
  log: Logger;
  /** Where audit events are stored (issue 16). */
  auditTrail?: AuditTrail | undefined;
  profiles: ReadonlySet<string>;
  defaultProfile: string;
  pollSeconds: number;
  /** Lines of output kept with a failed runtime. */
  logTailLines?: number;
  /** How often touched activity is written to the store (it is served from memory at once). */
  activityFlushMs?: number;
  /** This hub instance (instance-id.ts): the owner it writes on the servers it acts on. */
  instance?: string;
  /**
   * Other instances may share the store (PostgreSQL): heartbeat every lease/4, reload the records each
   * poll, and claim those of an instance whose heartbeat is older than the lease (monitoring.lease_seconds).
   * Absent: this instance is alone on the store and owns every record.
   */
  shared?: { leaseMs: number } | undefined;
  /** Where a deleted server's logs are deleted (absent: it has none to delete). */
  logs?: Pick<ServerLogs, 'removeServer'> | undefined;
  /** What the hub adds to each runtime's environment at its start (the Spark cluster of `spark_cluster`). */
  environment?: RuntimeEnvironment | undefined;
}

/** The lifecycle's three rooms, sharing the records in memory and one lock per server. */
export interface Lifecycle {
  /** The servers as they are: the API's reads, the proxy's route table, the runtime directory, activity. */
  servers: Directory;
  /** Start, stop, remove; what a rename needs: each writes the desired state. */
  requests: Requests;
  /** The loop that carries the desired state out (`init` at start-up, `shutdown` at the end). */
  reconciler: Reconciler;
  /** The culler's view: only the servers this instance owns are judged (and stopped) by it. */
  owned: CullScope;
}

/** Assembles the lifecycle (DESIGN.md idea 1) around one record index. */
export const createLifecycle = (o: LifecycleOptions): Lifecycle => {
  const index = new RecordIndex(o.spawner);
  const activity = new ActivityBook({ index, store: o.store, log: o.log });
  const serial = new KeyedSerial();
  const servers = new Directory(index, activity, new PortDirectory(index, o.spawner, o.clock));
  const reconciler = new Reconciler({ ...o, index, activity, serial });
  const requests = new Requests({ index, serial, records: reconciler.records, host: reconciler, clock: o.clock, log: o.log, auditTrail: o.auditTrail, profiles: o.profiles, defaultProfile: o.defaultProfile });
  const owned: CullScope = { ...servers.ownedBy(reconciler.me), requestStop: (user, name, stop) => requests.requestStop(user, name, stop) };
  return { servers, requests, reconciler, owned };
};
