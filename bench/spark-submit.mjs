// bench/spark-submit: time from a job's submission to its driver RUNNING (issue 19), the same jar on the same
// Spark master in one run, two ways, interleaved: POST /hub/api/clusters/{name}/jobs (the hub checks the body,
// HEADs the object in the S3 store, presigns its URL, submits through the master's REST server) against
// pyspark's own `bin/spark-submit --deploy-mode cluster --master spark://…` (a JVM that submits through the
// master's RPC port). Both fetch the jar from the same presigned URL of a versitygw store. The clock stops
// when the master's REST status first says RUNNING (polled every 25 ms, the same poll for both), and for nbhub
// also when nbhub's API first says so (its GET asks the master). Each round's driver is killed before the next.
// Needs: Spark (scripts/install-deps.sh --spark), versitygw and javac (scripts/install-deps.sh --test).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { startHub } from './lib/hub.mjs';
import { httpRequest, median } from './lib/load.mjs';
import { freePort, REPO, runBench, sleep, spawnTracked, tail, tmpDir } from './lib/proc.mjs';
import { banner, info, ms, table } from './lib/report.mjs';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const DATA = process.env['XDG_DATA_HOME'] || join(homedir(), '.local', 'share');
const SPARK_HOME = process.env['NBHUB_SPARK_HOME'] || join(DATA, 'nbhub', 'spark');
const SPARK_PKG = join(SPARK_HOME, 'pyspark');
const VERSITYGW = join(DATA, 'nbhub', 'bin', 'versitygw');
const CLUSTER = 'bench-submit';
const CONF = { 'spark.driver.memory': '512m', 'spark.executor.memory': '512m' };

const buildJar = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-bench-pi-'));
  try {
    execFileSync('javac', ['-cp', `${SPARK_PKG}/jars/*`, '-d', join(dir, 'classes'), join(REPO, 'test', 'helpers', 'spark-pi', 'NbhubPi.java')], { stdio: 'pipe' });
    execFileSync('jar', ['cf', join(dir, 'pi.jar'), '-C', join(dir, 'classes'), '.'], { stdio: 'pipe' });
    return readFileSync(join(dir, 'pi.jar'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const startS3 = async () => {
  const dir = tmpDir('s3');
  const port = await freePort();
  const keys = { accessKey: 'benchkey', secretKey: `bench-${Date.now()}-secret` };
  const log = join(tmpDir('logs'), 'versitygw.log');
  spawnTracked(VERSITYGW, ['--access', keys.accessKey, '--secret', keys.secretKey, '--port', `127.0.0.1:${port}`, 'posix', dir], { log });
  const endpoint = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (await httpRequest('GET', endpoint + '/').then(() => true, () => false)) return { endpoint, ...keys };
    await sleep(100);
  }
  throw new Error(`versitygw did not answer\n${tail(log)}`);
};

/** Polls the master's REST status until the driver is RUNNING; the time of the first RUNNING answer. */
const masterRunning = async (rest, driverId, timeoutMs = 120_000) => {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const r = await httpRequest('GET', `${rest}/v1/submissions/status/${driverId}`).catch(() => null);
    const state = r ? JSON.parse(r.text).driverState : undefined;
    if (state === 'RUNNING') return performance.now();
    if (state && !['SUBMITTED', 'RELAUNCHING'].includes(state)) throw new Error(`driver ${driverId} went ${state}`);
    await sleep(25);
  }
  throw new Error(`driver ${driverId} never RUNNING`);
};

const killDriver = async (rest, driverId) => {
  await httpRequest('POST', `${rest}/v1/submissions/kill/${driverId}`);
  for (let i = 0; i < 400; i++) {
    const r = await httpRequest('GET', `${rest}/v1/submissions/status/${driverId}`);
    if (JSON.parse(r.text).driverState !== 'RUNNING') return;
    await sleep(50);
  }
};

runBench(async () => {
  banner(
    'bench/spark-submit',
    `submission to driver RUNNING on a Spark 4.3 standalone master with 2 workers × 1 core, 1 GB (loopback), ${ROUNDS} interleaved rounds per way; ` +
      `nbhub: POST /hub/api/clusters/${CLUSTER}/jobs (API token); spark-submit: pyspark's bin/spark-submit --deploy-mode cluster --master spark://… ` +
      `(its JVM start included, as a user waits for it). Same jar (a compiled SparkPi that sleeps), same presigned URL of a versitygw store.`,
  );
  for (const [what, p] of [['Spark', join(SPARK_PKG, 'bin', 'spark-submit')], ['versitygw', VERSITYGW]]) {
    if (!existsSync(p)) throw new Error(`${what} is missing: ${p} (scripts/install-deps.sh --test)`);
  }
  const s3 = await startS3();
  const hub = await startHub({ config: { object_store: { endpoint: s3.endpoint, access_key: s3.accessKey, secret_key: s3.secretKey } } });
  const { S3ObjectStore } = await import(pathToFileURL(join(REPO, 'dist', 'objects', 's3-store.js')).href);
  const store = new S3ObjectStore({ endpoint: s3.endpoint, accessKey: s3.accessKey, secretKey: s3.secretKey, region: 'us-east-1', clock: { now: () => Date.now() } });
  await store.createBucket('bench');
  await store.put('bench', 'pi.jar', buildJar());
  await hub.api('POST', '/hub/api/clusters', { name: CLUSTER, kind: 'spark', workers: 2, worker_cores: 1, worker_memory: '1g' }, { expect: [201] });
  await hub.api('POST', `/hub/api/clusters/${CLUSTER}/start`, undefined, { expect: [200, 202] });
  let cluster;
  for (let i = 0; i < 600; i++) {
    cluster = JSON.parse((await hub.api('GET', `/hub/api/clusters/${CLUSTER}`)).text);
    if (cluster.state === 'running') break;
    if (cluster.state === 'failed') throw new Error(`cluster failed: ${cluster.failure}`);
    await sleep(250);
  }
  if (cluster.state !== 'running') throw new Error('cluster did not start');
  const conf = readFileSync(join(hub.dataDir, 'clusters', CLUSTER, 'conf', 'spark-defaults.conf'), 'utf8');
  const rest = `http://127.0.0.1:${/spark\.master\.rest\.port (\d+)/.exec(conf)[1]}`;
  const url = store.presignGet('bench', 'pi.jar', 3600);

  const viaNbhub = async () => {
    const t0 = performance.now();
    const r = await hub.api('POST', `/hub/api/clusters/${CLUSTER}/jobs`, { resource: 's3://bench/pi.jar', main_class: 'NbhubPi', args: ['1', '600'], conf: CONF }, { expect: [201] });
    const posted = performance.now();
    const job = JSON.parse(r.text);
    const [atMaster, atApi] = await Promise.all([
      masterRunning(rest, job.submission_id),
      (async () => {
        for (;;) {
          const j = JSON.parse((await hub.api('GET', `/hub/api/clusters/${CLUSTER}/jobs/${job.id}`)).text);
          if (j.state === 'RUNNING') return performance.now();
          if (j.state !== 'SUBMITTED') throw new Error(`job went ${j.state}: ${j.message}`);
          await sleep(25);
        }
      })(),
    ]);
    await hub.api('DELETE', `/hub/api/clusters/${CLUSTER}/jobs/${job.id}`, undefined, { expect: [200] });
    return { post: posted - t0, master: atMaster - t0, api: atApi - t0 };
  };

  const viaSparkSubmit = async () => {
    const log = join(tmpDir('logs'), `spark-submit-${Date.now()}.log`);
    const t0 = performance.now();
    const child = spawnTracked(
      join(SPARK_PKG, 'bin', 'spark-submit'),
      ['--deploy-mode', 'cluster', '--master', cluster.master_url, '--class', 'NbhubPi', ...Object.entries(CONF).flatMap(([k, v]) => ['--conf', `${k}=${v}`]), url, '1', '600'],
      { log, env: { SPARK_HOME: SPARK_PKG, SPARK_LOCAL_IP: '127.0.0.1' } },
    );
    let driverId;
    while (!driverId) {
      driverId = /Driver successfully submitted as (driver-[\w-]+)/.exec(existsSync(log) ? readFileSync(log, 'utf8') : '')?.[1];
      if (!driverId && child.exitCode !== null) throw new Error(`spark-submit exited ${child.exitCode}\n${tail(log)}`);
      if (!driverId) await sleep(25);
    }
    const submitted = performance.now();
    const atMaster = await masterRunning(rest, driverId);
    await child.exited;
    const exited = performance.now();
    await killDriver(rest, driverId);
    return { post: submitted - t0, master: atMaster - t0, exit: exited - t0 };
  };

  const nb = [];
  const ss = [];
  for (let round = 1; round <= ROUNDS; round++) {
    nb.push(await viaNbhub());
    ss.push(await viaSparkSubmit());
    console.log(`round ${round}: nbhub ${ms(nb.at(-1).master)} (API ${ms(nb.at(-1).api)}), spark-submit ${ms(ss.at(-1).master)}`);
  }
  const med = (xs, k) => median(xs.map((x) => x[k]));
  table([
    ['way', 'submitted (answer)', 'driver RUNNING at the master', 'RUNNING seen by the client'],
    ['nbhub API', ms(med(nb, 'post')), ms(med(nb, 'master')), `${ms(med(nb, 'api'))} (GET …/jobs/{id})`],
    ['spark-submit', ms(med(ss, 'post')), ms(med(ss, 'master')), `${ms(med(ss, 'exit'))} (process exit)`],
  ]);
  info('spark-submit', 'submission to driver RUNNING, nbhub API (median)', ms(med(nb, 'master')));
  info('spark-submit', 'submission to driver RUNNING, spark-submit (median)', ms(med(ss, 'master')));
  await hub.api('POST', `/hub/api/clusters/${CLUSTER}/stop`, undefined, { expect: [200, 202] });
  await hub.stop();
});
