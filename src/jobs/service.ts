import { audit, type AuditTrail } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { FINAL_JOB_STATES, usableCluster, type ClusterDirectory, type ClusterRecord, type SparkEndpoints, type SparkJobRecord, type SparkJobRepo } from '../core/clusters.js';
import { conflict, forbidden, HubError, notFound } from '../core/errors.js';
import type { Identity } from '../core/identity.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { ObjectStore } from '../core/objects.js';
import type { JobRequest, SparkJobs, SparkJobView } from '../core/spark-jobs.js';
import type { Page } from '../core/store.js';
import { badRequest } from '../core/errors.js';
import { formatS3Url } from '../objects/s3-url.js';
import { nextJob } from './decide.js';
import type { ClientDrivers } from './client-driver.js';
import type { SparkMaster } from './master.js';
import { checkJobRequest } from './request.js';
import type { MasterState } from '../clusters/master-json.js';
import { appNameOf, createSubmissionRequest, type DriverStatus } from './spark-rest.js';

export interface SparkJobServiceOptions {
  clusters: ClusterDirectory;
  repo: SparkJobRepo;
  /** null where object_store.endpoint is empty: submissions are refused with a 503 naming the key. */
  objects: ObjectStore | null;
  master: SparkMaster;
  /** Where Python files run in client mode (their drivers beside the hub). */
  drivers: ClientDrivers;
  clock: Clock;
  ids: IdGenerator;
  log: Logger;
  /** Where audit events are stored (issue 16). */
  auditTrail?: AuditTrail | undefined;
  /** object_store.presign_seconds */
  presignSeconds: number;
  /** How often unfinished jobs are refreshed from their masters. */
  pollMs: number;
  /** How much of each of the driver's streams a look shows. */
  logBytes: number;
}

/** Most unfinished jobs one poll refreshes (oldest first); the rest wait for the next one. */
const POLL_BATCH = 200;
/** How long a kill waits for the master to report the driver KILLED before answering with the state so far. */
const KILL_WAIT_MS = 10_000;

const uiPrefix = (cluster: string): string => `/clusters/${cluster}`;
/** A Python job's driver runs beside the hub; its "submission id" says so. */
const CLIENT_PREFIX = 'client-';
const isClient = (job: SparkJobRecord): boolean => job.submissionId?.startsWith(CLIENT_PREFIX) ?? false;

/** The client-mode driver's process as a driver status: its exit code says how the program ended. */
const clientStatus = (s: ReturnType<ClientDrivers['state']>): DriverStatus => {
  const base = { workerId: null, workerHostPort: null };
  switch (s.state) {
    case 'running':
      return { ...base, state: 'RUNNING', message: null };
    case 'exited':
      return s.code === 0 ? { ...base, state: 'FINISHED', message: null } : { ...base, state: 'FAILED', message: `spark-submit exited with code ${s.code ?? 'unknown'}` };
    case 'gone':
      return { ...base, state: 'UNKNOWN', message: 'Its driver process ended without leaving an exit code' };
  }
};

/**
 * Jobs on the hub's clusters: checks, signs, submits, follows (a poll of the unfinished jobs of every cluster,
 * and each look), kills, and reads the driver's log through its worker. Who: the cluster's users; a kill also
 * needs to be the submitter, the cluster's owner or an admin.
 */
export class SparkJobService implements SparkJobs {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;

  constructor(private readonly o: SparkJobServiceOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.pollOnce(), this.o.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
  }

  /** The cluster, for someone allowed to use it: unknown → 404; known but not theirs → 403 (as at its UIs). */
  private usable(who: Identity, name: string): ClusterRecord {
    return usableCluster(this.o.clusters, who, name);
  }

  private async jobOf(who: Identity, cluster: string, id: string): Promise<SparkJobRecord> {
    this.usable(who, cluster);
    const job = await this.o.repo.get(id);
    if (!job || job.cluster !== cluster) throw notFound(`No such job on cluster ${cluster}: ${id}`);
    return job;
  }

  async submit(who: Identity, name: string, request: JobRequest): Promise<SparkJobRecord> {
    const cluster = this.usable(who, name);
    const checked = checkJobRequest(request);
    const objects = this.o.objects;
    if (!objects) throw new HubError('UNAVAILABLE', 'No object store is configured: set object_store.endpoint (and its keys) to submit jobs');
    if (cluster.state !== 'running' || !cluster.endpoints) throw conflict(`Cluster ${name} is ${cluster.state}: start it before submitting jobs`);
    const { bucket, key } = checked.location;
    if (!(await objects.head(bucket, key))) throw badRequest(`${formatS3Url(checked.location)} does not exist`);
    const now = this.o.clock.now();
    const job: SparkJobRecord = {
      id: this.o.ids.random(9),
      cluster: name,
      user: who.user,
      resource: checked.resource,
      mainClass: checked.mainClass,
      args: checked.args,
      conf: checked.conf,
      submissionId: null,
      appId: null,
      state: 'SUBMITTED',
      message: null,
      submitted: now,
      ended: null,
    };
    if (checked.kind === 'python') return this.submitPython(who, name, cluster.endpoints, job, objects.presignGet(bucket, key, this.o.presignSeconds));
    const request_ = createSubmissionRequest({
      resourceUrl: objects.presignGet(bucket, key, this.o.presignSeconds),
      mainClass: job.mainClass,
      args: job.args,
      conf: job.conf,
      endpoints: cluster.endpoints,
      uiPrefix: uiPrefix(name),
      appName: appNameOf(job.id, job.mainClass, job.conf, job.resource),
      user: who.user,
    });
    const answer = await this.o.master.submit(cluster.endpoints, request_).catch((err: unknown) => {
      if (err instanceof HubError) return { ok: false as const, message: err.message };
      throw err;
    });
    if (!answer.ok) {
      // Kept in the history, so who tried what stays visible; the caller learns why.
      await this.o.repo.put({ ...job, state: 'ERROR', message: answer.message, ended: now });
      throw new HubError('UNAVAILABLE', `The master of cluster ${name} refused the job: ${answer.message}`);
    }
    const submitted = { ...job, submissionId: answer.submissionId };
    await this.o.repo.put(submitted);
    audit(this.o, { event: 'spark_job_submit', user: who.user, cluster: name, job: job.id, resource: job.resource, main_class: job.mainClass, by: who.user });
    return submitted;
  }

  /** A Python file in client mode: spark-submit run beside the hub against the cluster's master. */
  private async submitPython(who: Identity, name: string, endpoints: SparkEndpoints, job: SparkJobRecord, url: string): Promise<SparkJobRecord> {
    const conf = {
      ...job.conf,
      'spark.app.name': appNameOf(job.id, job.mainClass, job.conf, job.resource),
      'spark.master': endpoints.master,
      'spark.submit.deployMode': 'client',
      'spark.ui.reverseProxy': 'true',
      'spark.ui.reverseProxyUrl': uiPrefix(name),
    };
    try {
      await this.o.drivers.start({ jobId: job.id, resourceUrl: url, fileName: job.resource.split('/').pop() ?? 'main.py', args: job.args, conf, user: who.user, endpoints });
    } catch (err) {
      const message = `The driver could not be started: ${(err as Error).message}`;
      await this.o.repo.put({ ...job, state: 'ERROR', message, ended: job.submitted });
      throw new HubError('UNAVAILABLE', message, { cause: err });
    }
    const submitted = { ...job, submissionId: `${CLIENT_PREFIX}${job.id}` };
    await this.o.repo.put(submitted);
    audit(this.o, { event: 'spark_job_submit', user: who.user, cluster: name, job: job.id, resource: job.resource, main_class: '', by: who.user });
    return submitted;
  }

  async list(who: Identity, cluster: string, page: { offset: number; limit: number; user?: string }): Promise<Page<SparkJobRecord>> {
    this.usable(who, cluster);
    return this.o.repo.list({ cluster, ...page });
  }

  async get(who: Identity, cluster: string, id: string): Promise<SparkJobView> {
    const { job, driver, master } = await this.refresh(await this.jobOf(who, cluster, id));
    return { job, driverLog: await this.driverLog(job, driver, master) };
  }

  async kill(who: Identity, cluster: string, id: string): Promise<SparkJobRecord> {
    const job = await this.jobOf(who, cluster, id);
    const c = this.usable(who, cluster);
    if (!who.admin && who.user !== job.user && who.user !== c.owner) throw forbidden(`Job ${id} was submitted by ${job.user}: only they, the cluster's owner or an admin may kill it`);
    if (FINAL_JOB_STATES.has(job.state)) return job;
    if (isClient(job)) {
      await this.o.drivers.kill(job.id);
      audit(this.o, { event: 'spark_job_kill', user: job.user, cluster, job: id, resource: job.resource, main_class: job.mainClass, by: who.user });
      const killed = { ...job, state: 'KILLED' as const, ended: this.o.clock.now() };
      await this.o.repo.put(killed);
      return killed;
    }
    if (job.submissionId && c.endpoints && c.state === 'running') {
      const answer = await this.o.master.kill(c.endpoints, job.submissionId);
      if (!answer.ok) this.o.log.info({ job: id, message: answer.message }, 'the master refused a kill');
    }
    audit(this.o, { event: 'spark_job_kill', user: job.user, cluster, job: id, resource: job.resource, main_class: job.mainClass, by: who.user });
    // The master answers at once and kills in the background: wait (bounded) for it to say so.
    const deadline = this.o.clock.now() + KILL_WAIT_MS;
    let now = await this.refresh(job);
    while (!FINAL_JOB_STATES.has(now.job.state) && this.o.clock.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      now = await this.refresh(now.job);
    }
    return now.job;
  }

  /** One round over the unfinished jobs (the timer's, and tests'). */
  pollOnce(): Promise<void> {
    this.polling ??= (async () => {
      try {
        for (const job of await this.o.repo.unfinished(POLL_BATCH)) {
          await this.refresh(job).catch((err: unknown) => this.o.log.debug({ err, job: job.id }, 'a job could not be refreshed'));
        }
      } catch (err) {
        this.o.log.warn({ err }, 'unfinished Spark jobs could not be read');
      } finally {
        this.polling = null;
      }
    })();
    return this.polling;
  }

  /** The job as its cluster and master now say, written when it changed; the driver's status and the master's state when read. */
  private async refresh(job: SparkJobRecord): Promise<{ job: SparkJobRecord; driver: DriverStatus | null; master?: MasterState | undefined }> {
    if (FINAL_JOB_STATES.has(job.state) && job.appId !== null) return { job, driver: null };
    const c = this.o.clusters.get(job.cluster);
    const now = this.o.clock.now();
    const byCluster = nextJob(job, c ? { kind: 'cluster', cluster: c } : { kind: 'cluster-gone' }, now);
    if (byCluster) {
      // A client-mode driver outlives its cluster's processes: it goes with them.
      if (isClient(job)) await this.o.drivers.kill(job.id);
      await this.o.repo.put(byCluster);
      return { job: byCluster, driver: null };
    }
    if (!c?.endpoints || c.state !== 'running' || !job.submissionId) return { job, driver: null };
    let driver: DriverStatus | null;
    try {
      driver = isClient(job) ? clientStatus(this.o.drivers.state(job.id)) : await this.o.master.status(c.endpoints, job.submissionId);
    } catch (err) {
      // An unreachable master is the cluster manager's to notice; the job stays as it was.
      this.o.log.debug({ err, job: job.id }, 'the master did not answer a status');
      return { job, driver: null };
    }
    let next = nextJob(job, { kind: 'driver', status: driver }, now) ?? job;
    let master: MasterState | undefined;
    if (next.appId === null && driver && driver.state !== 'SUBMITTED') {
      const name = appNameOf(job.id, job.mainClass, job.conf, job.resource);
      master = await this.o.master.state(c.endpoints).catch(() => undefined);
      const app = master?.apps.find((a) => a.name === name);
      if (app) next = { ...next, appId: app.id };
    }
    if (next !== job) await this.o.repo.put(next);
    return { job: next, driver, master };
  }

  /** stdout's then stderr's last bytes, through the worker the driver runs (or ran) on. */
  private async driverLog(job: SparkJobRecord, driver: DriverStatus | null, known?: MasterState): Promise<string | null> {
    if (isClient(job)) return this.o.drivers.log(job.id, 2 * this.o.logBytes);
    const c = this.o.clusters.get(job.cluster);
    if (!c?.endpoints || c.state !== 'running' || !job.submissionId) return null;
    let status = driver;
    try {
      status ??= await this.o.master.status(c.endpoints, job.submissionId);
      if (!status?.workerId) return null;
      const workers = (known ?? (await this.o.master.state(c.endpoints))).workers;
      const worker = workers.find((w) => w.id === status?.workerId);
      if (!worker) return null;
      const id = job.submissionId;
      const [out, err] = await Promise.all([this.o.master.driverLog(worker.webui, id, 'stdout', this.o.logBytes), this.o.master.driverLog(worker.webui, id, 'stderr', this.o.logBytes)]);
      return `==> stdout <==\n${out}${out.endsWith('\n') || out === '' ? '' : '\n'}==> stderr <==\n${err}`;
    } catch (err) {
      this.o.log.debug({ err, job: job.id }, "the driver's log could not be read");
      return null;
    }
  }
}
