import { badRequest } from '../core/errors.js';
import type { ObjectLocation } from '../core/objects.js';
import { parseS3Url } from '../objects/s3-url.js';
import type { JobRequest } from '../core/spark-jobs.js';

/** Bounds on what one submission may carry: enough for real jobs, small enough to keep in the store. */
export const JOB_LIMITS = { args: 256, argBytes: 4096, argsBytes: 65_536, conf: 128, confKeyBytes: 256, confValueBytes: 8192 } as const;

const JAVA_CLASS = /^(?:[A-Za-z_$][A-Za-z0-9_$]*\.)*[A-Za-z_$][A-Za-z0-9_$]*$/;
const SPARK_KEY = /^spark\.[A-Za-z0-9_.-]+$/;

/**
 * Spark properties the hub sets itself so the job reaches its cluster, fetches its file and shows its UI behind
 * the login: a job may not move them. Prefixes end with a dot or are whole families (`spark.ui.reverseProxy*`).
 */
const HUB_OWNED: Array<{ key: string; prefix?: boolean; why: string }> = [
  { key: 'spark.master', why: 'the hub submits to the cluster named in the path' },
  { key: 'spark.master.rest.', prefix: true, why: "the cluster's REST server is the hub's" },
  { key: 'spark.submit.deployMode', why: 'jobs run in cluster deploy mode' },
  { key: 'spark.jars', why: 'the hub passes the signed URL of the resource' },
  { key: 'spark.ui.reverseProxy', prefix: true, why: "the driver's UI is reached through the hub at /clusters/{name}/" },
  { key: 'spark.driver.host', why: 'drivers run on the cluster\'s workers' },
  { key: 'spark.driver.bindAddress', why: 'drivers run on the cluster\'s workers' },
  { key: 'spark.submit.pyFiles', why: 'a job is one jar from the object store' },
];

const ownedBy = (key: string) => HUB_OWNED.find((o) => (o.prefix ? key.startsWith(o.key) : key === o.key));

const bytes = (s: string): number => Buffer.byteLength(s);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface CheckedJob {
  /** A jar runs in cluster deploy mode; a `.py` file in client mode, its driver run by the hub. */
  kind: 'jar' | 'python';
  resource: string;
  location: ObjectLocation;
  mainClass: string;
  args: string[];
  conf: Record<string, string>;
}

/** A submission's body checked (a key ending in .py is a Python file, else a jar): every refusal is a 400 naming the field (and key or index) that is wrong. */
export const checkJobRequest = (r: JobRequest): CheckedJob => {
  if (typeof r.resource !== 'string') throw badRequest('resource must be a string: s3://bucket/key');
  const location = parseS3Url(r.resource);
  const kind = location.key.endsWith('.py') ? 'python' : 'jar';
  if (kind === 'python') {
    if (r.main_class !== undefined && r.main_class !== null && r.main_class !== '') throw badRequest('main_class is for jars: a Python file (.py) runs as its own main');
  } else if (typeof r.main_class !== 'string' || r.main_class.length > 512 || !JAVA_CLASS.test(r.main_class)) {
    throw badRequest(`main_class must be a Java class name such as org.example.Main, not ${JSON.stringify(r.main_class)?.slice(0, 100) ?? 'nothing'}`);
  }
  const args = r.args ?? [];
  if (!Array.isArray(args)) throw badRequest('args must be a list of strings');
  if (args.length > JOB_LIMITS.args) throw badRequest(`args has ${args.length} items: at most ${JOB_LIMITS.args}`);
  args.forEach((a, i) => {
    if (typeof a !== 'string') throw badRequest(`args[${i}] must be a string, not ${a === null ? 'null' : typeof a}`);
    if (bytes(a) > JOB_LIMITS.argBytes) throw badRequest(`args[${i}] is longer than ${JOB_LIMITS.argBytes} bytes`);
  });
  if ((args as string[]).reduce((n, a) => n + bytes(a), 0) > JOB_LIMITS.argsBytes) throw badRequest(`args hold more than ${JOB_LIMITS.argsBytes} bytes in all`);
  const conf = r.conf ?? {};
  if (!isRecord(conf)) throw badRequest('conf must be an object of Spark properties, string to string');
  const entries = Object.entries(conf);
  if (entries.length > JOB_LIMITS.conf) throw badRequest(`conf has ${entries.length} properties: at most ${JOB_LIMITS.conf}`);
  for (const [k, v] of entries) {
    if (!SPARK_KEY.test(k) || bytes(k) > JOB_LIMITS.confKeyBytes) throw badRequest(`conf key ${JSON.stringify(k.slice(0, 100))} is not a Spark property (spark.…)`);
    if (typeof v !== 'string') throw badRequest(`conf ${k} must be a string, not ${v === null ? 'null' : typeof v}`);
    if (bytes(v) > JOB_LIMITS.confValueBytes) throw badRequest(`conf ${k} is longer than ${JOB_LIMITS.confValueBytes} bytes`);
    const owned = ownedBy(k);
    if (owned) throw badRequest(`conf ${k} is set by the hub (${owned.why})`);
  }
  return { kind, resource: r.resource, location, mainClass: kind === 'jar' ? (r.main_class as string) : '', args: args as string[], conf: conf as Record<string, string> };
};
