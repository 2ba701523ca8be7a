import { JOB_STATES, type JobState, type SparkEndpoints } from '../core/clusters.js';

/**
 * The Spark standalone master's REST submission protocol and its UI's JSON, as pure builders and parsers
 * (Spark 4.x: CreateSubmissionRequest, SubmissionStatusResponse, KillSubmissionResponse, ErrorResponse; `/json/`).
 */

/** The Spark the hub installs; the protocol wants the client's version and does not compare it. */
export const CLIENT_SPARK_VERSION = '4.3.0';

export interface SubmissionInput {
  /** The signed URL of the application jar: appResource and spark.jars (executors fetch it too). */
  resourceUrl: string;
  mainClass: string;
  args: string[];
  conf: Record<string, string>;
  endpoints: SparkEndpoints;
  /** `/clusters/{name}`: the driver's UI links under the hub's prefix. */
  uiPrefix: string;
  appName: string;
  /** The submitting user, the driver's SPARK_USER. */
  user: string;
}

/** The job's own properties first, then the hub's, which win (request.ts refuses a job that sets them). */
export const createSubmissionRequest = (s: SubmissionInput): Record<string, unknown> => ({
  action: 'CreateSubmissionRequest',
  appResource: s.resourceUrl,
  mainClass: s.mainClass,
  appArgs: s.args,
  clientSparkVersion: CLIENT_SPARK_VERSION,
  environmentVariables: { SPARK_USER: s.user },
  sparkProperties: {
    ...s.conf,
    'spark.app.name': s.appName,
    'spark.master': s.endpoints.master,
    'spark.submit.deployMode': 'cluster',
    'spark.jars': s.resourceUrl,
    'spark.ui.reverseProxy': 'true',
    'spark.ui.reverseProxyUrl': s.uiPrefix,
  },
});

/**
 * The application's name in the master: the job's (spark.app.name, else the class's simple name, else the Python
 * file's name), tagged with its id so it is found again.
 */
export const appNameOf = (jobId: string, mainClass: string, conf: Record<string, string>, resource = ''): string =>
  `${conf['spark.app.name'] ?? (mainClass !== '' ? mainClass.split('.').pop() : resource.split('/').pop()) ?? mainClass} [nbhub job ${jobId}]`;

const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Spark's messages carry Java stack traces: the first line says what happened. */
export const firstLine = (message: unknown, max = 500): string | null => {
  const s = str(message);
  return s === null ? null : (s.split('\n')[0] ?? '').slice(0, max);
};

export const toJobState = (driverState: unknown): JobState =>
  typeof driverState === 'string' && (JOB_STATES as readonly string[]).includes(driverState) ? (driverState as JobState) : 'UNKNOWN';

export type CreateAnswer = { ok: true; submissionId: string } | { ok: false; message: string };

export const parseCreateResponse = (httpStatus: number, body: unknown): CreateAnswer => {
  const b = obj(body);
  const id = str(b['submissionId']);
  if (httpStatus < 300 && b['success'] === true && id) return { ok: true, submissionId: id };
  return { ok: false, message: firstLine(b['message']) ?? `HTTP ${httpStatus}` };
};

export interface DriverStatus {
  state: JobState;
  workerId: string | null;
  /** `host:port` of the worker's RPC endpoint. */
  workerHostPort: string | null;
  message: string | null;
}

/** null: the master does not know the driver (`success: false`). */
export const parseStatusResponse = (body: unknown): DriverStatus | null => {
  const b = obj(body);
  if (b['success'] !== true) return null;
  return { state: toJobState(b['driverState']), workerId: str(b['workerId']), workerHostPort: str(b['workerHostPort']), message: firstLine(b['message']) };
};

export const parseKillResponse = (body: unknown): { ok: boolean; message: string | null } => {
  const b = obj(body);
  return { ok: b['success'] === true, message: firstLine(b['message']) };
};

/** A worker's `/log/` page starts with `==== Bytes a-b of n of /path ====`: the path is the worker's business. */
export const stripLogHeader = (text: string): string => text.replace(/^==== Bytes [^\n]*====\n?/, '');
