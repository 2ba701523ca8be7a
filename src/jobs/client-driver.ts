import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SparkEndpoints } from '../core/clusters.js';
import type { ProcessRef, ProcessRunner } from '../core/services.js';

/** A Python job's driver in client mode: spark-submit run by the hub, beside it, until the program ends. */
export interface ClientDriverLaunch {
  jobId: string;
  /** The signed URL of the .py file, fetched into the job's folder (spark-submit knows a Python file by its name's end, which a signed URL's query hides). */
  resourceUrl: string;
  /** The file's name (the key's last segment, ending in .py). */
  fileName: string;
  args: string[];
  /** The job's properties and the hub's (master, deploy mode, app name, UI prefix). */
  conf: Record<string, string>;
  user: string;
  endpoints: SparkEndpoints;
}

export type ClientDriverState = { state: 'running' } | { state: 'exited'; code: number | null } | { state: 'gone' };

/** What the jobs service asks of the drivers it runs itself (Python files in client mode). */
export interface ClientDrivers {
  start(launch: ClientDriverLaunch): Promise<void>;
  state(jobId: string): ClientDriverState;
  /** Stops the driver (and spark-submit's JVM with it); safe to call twice. */
  kill(jobId: string): Promise<void>;
  /** The end of its output (stdout and stderr together), or '' when none was kept. */
  log(jobId: string, bytes: number): string;
}

export interface LocalClientDriversOptions {
  runner: ProcessRunner;
  /** The pyspark package folder (SPARK_HOME of Spark's scripts). */
  sparkPackage: string;
  /** The install folder, on PYTHONPATH so the program imports pyspark and py4j from it. */
  sparkHome: string;
  javaHome: string;
  /** Each job's files: `{dir}/{jobId}/` (output, pid, exit code). */
  dir: string;
  graceMs: number;
}

/**
 * Client-mode drivers as local processes (ProcessRunner: a process group each, outliving a hub that dies).
 * spark-submit runs under `sh`, which writes its exit code to a file: a restarted hub still learns how it ended.
 */
export class LocalClientDrivers implements ClientDrivers {
  constructor(private readonly o: LocalClientDriversOptions) {}

  private files(jobId: string) {
    const d = join(this.o.dir, jobId);
    return { dir: d, log: join(d, 'driver.log'), pid: join(d, 'driver.pid'), ref: join(d, 'process.json'), exit: join(d, 'exit-code') };
  }

  private ref(jobId: string): ProcessRef | null {
    try {
      return JSON.parse(readFileSync(this.files(jobId).ref, 'utf8')) as ProcessRef;
    } catch {
      return null;
    }
  }

  async start(l: ClientDriverLaunch): Promise<void> {
    const f = this.files(l.jobId);
    mkdirSync(f.dir, { recursive: true });
    const program = join(f.dir, basename(l.fileName));
    const r = await fetch(l.resourceUrl, { signal: AbortSignal.timeout(60_000) });
    if (!r.ok) throw new Error(`the object store answered HTTP ${r.status} for the file`);
    writeFileSync(program, Buffer.from(await r.arrayBuffer()));
    const submit = join(this.o.sparkPackage, 'bin', 'spark-submit');
    const conf = Object.entries(l.conf).flatMap(([k, v]) => ['--conf', `${k}=${v}`]);
    const p = await this.o.runner.run({
      command: ['sh', '-c', '"$@"; echo $? > "$JOB_EXIT_FILE"', 'sh', submit, ...conf, program, ...l.args],
      env: {
        JOB_EXIT_FILE: f.exit,
        SPARK_HOME: this.o.sparkPackage,
        SPARK_USER: l.user,
        PYTHONPATH: this.o.sparkHome,
        PYSPARK_PYTHON: 'python3',
        SPARK_LOCAL_IP: '127.0.0.1',
        ...(this.o.javaHome ? { JAVA_HOME: this.o.javaHome } : {}),
      },
      logFile: f.log,
      pidFile: f.pid,
    });
    writeFileSync(f.ref, JSON.stringify({ pid: p.pid, startTime: p.startTime }));
  }

  state(jobId: string): ClientDriverState {
    const f = this.files(jobId);
    if (existsSync(f.exit)) {
      const code = Number.parseInt(readFileSync(f.exit, 'utf8').trim(), 10);
      return { state: 'exited', code: Number.isFinite(code) ? code : null };
    }
    const ref = this.ref(jobId);
    return ref && this.o.runner.alive(ref) ? { state: 'running' } : { state: 'gone' };
  }

  async kill(jobId: string): Promise<void> {
    const ref = this.ref(jobId);
    if (ref) await this.o.runner.stop(ref, this.files(jobId).pid, this.o.graceMs);
  }

  log(jobId: string, bytes: number): string {
    let fd: number;
    try {
      fd = openSync(this.files(jobId).log, 'r');
    } catch {
      return '';
    }
    try {
      const size = fstatSync(fd).size;
      const n = Math.min(size, bytes);
      const buf = Buffer.alloc(n);
      readSync(fd, buf, 0, n, size - n);
      return buf.toString('utf8');
    } finally {
      closeSync(fd);
    }
  }

}
