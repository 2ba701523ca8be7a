import { createKernelProbe } from '../agent/kernel-probe.js';
import type { Config } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { RuntimeClient } from '../core/runtime-client.js';
import type { Store } from '../core/store.js';
import type { RuntimeDirectory } from '../core/usage.js';
import { RuntimeNotebooks } from './notebooks.js';
import { ExecutionRecorder } from './recorder.js';

/** The hub's recorder from its config, or null when monitoring.executions is off (then nothing is tapped at all). */
export const createExecutionRecorder = (d: { config: Readonly<Config>; store: Store; runtimes: RuntimeDirectory; runtimeApi: RuntimeClient; clock: Clock; ids: IdGenerator; log: Logger }): ExecutionRecorder | null => {
  const m = d.config.monitoring;
  if (!m.executions) return null;
  return new ExecutionRecorder({
    store: d.store,
    runtimes: d.runtimes,
    probe: createKernelProbe({ pss: m.pss }),
    notebooks: new RuntimeNotebooks(d.runtimeApi, d.clock),
    runtimeApi: d.runtimeApi,
    clock: d.clock,
    ids: d.ids,
    log: d.log,
    captureCode: m.capture_code,
    maxCodeBytes: m.max_code_bytes,
    retentionDays: m.retention.executions_days,
  });
};
