import type { Kysely } from 'kysely';
import type { Attribution, ExecutionRecord, ExecutionStatus } from '../core/executions.js';
import type { Database, ExecutionsTable } from './schema.js';

/**
 * The columns an upsert of a known execution changes: what it became. Who ran it, where, and what was asked
 * (user, server, kernel, msg_id, client session, code hash and size, requested) stay as first written.
 */
export const EXECUTION_UPDATED_COLUMNS = [
  'notebook',
  'attribution',
  'candidates',
  'cell_id',
  'execution_count',
  'code',
  'started',
  'ended',
  'status',
  'error_name',
  'cpu_seconds',
  'peak_memory',
  'spark_cpu_seconds',
] as const satisfies readonly (keyof ExecutionsTable)[];

/** Rows a statement in the kysely upsert: well under either database's parameter limit. */
const CHUNK = 200;

/** The upsert through kysely, in one transaction: each known row gets EXECUTION_UPDATED_COLUMNS from the new one. */
export const upsertExecutions = async (db: Kysely<Database>, rows: readonly ExecutionsTable[]): Promise<void> => {
  await db.transaction().execute(async (tx) => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      await tx
        .insertInto('executions')
        .values(rows.slice(i, i + CHUNK))
        .onConflict((oc) => oc.column('id').doUpdateSet((eb) => Object.fromEntries(EXECUTION_UPDATED_COLUMNS.map((c) => [c, eb.ref(`excluded.${c}`)]))))
        .execute();
    }
  });
};

/** Conversions between execution records and rows, for both dialects (pg returns bigint as string). */
export const executionToRow = (e: ExecutionRecord): ExecutionsTable => ({
  id: e.id,
  user_name: e.user,
  server: e.server,
  kernel: e.kernelId,
  notebook: e.notebook,
  attribution: e.attribution,
  candidates: JSON.stringify(e.candidates),
  cell_id: e.cellId,
  msg_id: e.msgId,
  client_session: e.clientSession,
  execution_count: e.executionCount,
  code: e.code,
  code_sha256: e.codeSha256,
  code_bytes: e.codeBytes,
  requested: e.requested,
  started: e.started,
  ended: e.ended,
  status: e.status,
  error_name: e.errorName,
  cpu_seconds: e.cpuSeconds,
  peak_memory: e.peakMemory,
  spark_cpu_seconds: e.sparkCpuSeconds,
});

const num = (v: number | string | null): number | null => (v == null ? null : Number(v));

const parseCandidates = (text: string): string[] => {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
};

export const executionFromRow = (r: ExecutionsTable): ExecutionRecord => ({
  id: r.id,
  user: r.user_name,
  server: r.server,
  kernelId: r.kernel,
  notebook: r.notebook,
  attribution: r.attribution as Attribution,
  candidates: parseCandidates(r.candidates),
  cellId: r.cell_id,
  msgId: r.msg_id,
  clientSession: r.client_session,
  executionCount: num(r.execution_count),
  code: r.code,
  codeSha256: r.code_sha256,
  codeBytes: Number(r.code_bytes),
  requested: Number(r.requested),
  started: Number(r.started),
  ended: num(r.ended),
  status: r.status as ExecutionStatus,
  errorName: r.error_name,
  cpuSeconds: num(r.cpu_seconds),
  peakMemory: num(r.peak_memory),
  sparkCpuSeconds: num(r.spark_cpu_seconds),
});
