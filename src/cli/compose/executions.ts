import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { IdGenerator } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import type { RuntimeClient } from '../../core/runtime-client.js';
import type { ProcessDoor } from '../../core/process-door.js';
import type { SparkCellCost } from '../../core/executions.js';
import type { Store } from '../../core/store.js';
import type { RuntimeDirectory } from '../../core/usage.js';
import { RuntimeNotebooks } from '../../executions/notebooks.js';
import { ExecutionRecorder } from '../../executions/recorder.js';

/** The hub's recorder from its config, or null when monitoring.executions is off (then nothing is tapped at all). */
export const createExecutionRecorder = (d: { config: Readonly<Config>; store: Store; runtimes: RuntimeDirectory; processes: ProcessDoor; runtimeApi: RuntimeClient; clock: Clock; ids: IdGenerator; log: Logger; spark?: SparkCellCost }): ExecutionRecorder | null => {
  const m = d.config.monitoring;
  if (!m.executions) return null;
  return new ExecutionRecorder({
    store: d.store,
    runtimes: d.runtimes,
    processes: d.processes,
    notebooks: new RuntimeNotebooks(d.runtimeApi, d.clock),
    runtimeApi: d.runtimeApi,
    clock: d.clock,
    ids: d.ids,
    log: d.log,
    captureCode: m.capture_code,
    maxCodeBytes: m.max_code_bytes,
    retentionDays: m.retention.executions_days,
    // The samples up to a cell's end are stored within a sweep and a pull or so: two, to be sure.
    spark: d.spark,
    samples: { waitMs: (2 * m.interval_seconds + m.pull_every_seconds) * 1000, pollMs: Math.min(1000, m.interval_seconds * 500) },
  });
};
