import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterRecord } from '../core/clusters.js';
import { HubError } from '../core/errors.js';
import { withRuntimeEnv } from '../core/spawner.js';
import { checkAttach, clusterOption } from './attach.js';
import { SparkRuntimeEnvironment } from './runtime-env.js';

const cluster = (over: Partial<ClusterRecord> = {}): ClusterRecord => ({
  name: 'etl',
  kind: 'spark',
  owner: 'alice',
  users: ['bob'],
  workers: 2,
  workerCores: 2,
  workerMemoryMb: 512,
  desired: 'running',
  state: 'running',
  handle: { v: 1, kind: 'local-spark' },
  endpoints: { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: 'http://127.0.0.1:8080' },
  failure: null,
  created: 1,
  started: 2,
  stopped: null,
  ...over,
});

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const environment = (c: ClusterRecord | undefined) => {
  dir = mkdtempSync(join(tmpdir(), 'nbhub-spark-env-'));
  return new SparkRuntimeEnvironment({
    clusters: { get: (name) => (name === c?.name ? c : undefined) },
    sparkHome: '/opt/spark',
    javaHome: '',
    extensionDir: '/hub/python',
    dir,
    pythonOf: (profile) => (profile === 'default' ? '/envs/jupyter/bin/python' : 'python3'),
  });
};

describe('the environment of a runtime attached to a Spark cluster', () => {
  it("points Spark at the cluster, the kernel at the extension, and keeps what the runtime's PYTHONPATH held", async () => {
    const env = await environment(cluster()).forRuntime({ user: 'bob', server: 'lab', profile: 'default', userOptions: { spark_cluster: 'etl' } });
    const runtimeDir = join(dir, 'bob', 'lab');
    expect(env?.set).toEqual({
      SPARK_HOME: '/opt/spark/pyspark',
      SPARK_CONF_DIR: join(runtimeDir, 'conf'),
      SPARK_LOCAL_IP: '127.0.0.1',
      SPARK_USER: 'bob',
      PYSPARK_PYTHON: '/envs/jupyter/bin/python',
      PYSPARK_DRIVER_PYTHON: '/envs/jupyter/bin/python',
      NBHUB_SPARK_CLUSTER: 'etl',
    });
    const merged = withRuntimeEnv({ PYTHONPATH: '/mine', PATH: '/bin' }, env);
    expect(merged['PYTHONPATH']).toBe('/opt/spark:/hub/python:/mine');
    expect(merged['JUPYTER_PATH']).toBe(join(runtimeDir, 'jupyter'));
    expect(merged['PATH']).toBe('/bin');
    const conf = readFileSync(join(runtimeDir, 'conf', 'spark-defaults.conf'), 'utf8');
    expect(conf.split('\n')).toEqual(
      expect.arrayContaining([
        'spark.master spark://127.0.0.1:7077',
        'spark.driver.host 127.0.0.1',
        'spark.driver.bindAddress 127.0.0.1',
        'spark.ui.reverseProxy true',
        'spark.ui.reverseProxyUrl /clusters/etl',
        // Half the cluster's 4 cores; executors no bigger than a worker's 512 MiB.
        'spark.cores.max 2',
        'spark.executor.memory 512m',
      ]),
    );
    const spec = JSON.parse(readFileSync(join(runtimeDir, 'jupyter', 'kernels', 'python3', 'kernel.json'), 'utf8')) as { argv: string[] };
    expect(spec.argv).toEqual(['python', '-m', 'ipykernel_launcher', '-f', '{connection_file}', '--IPKernelApp.extra_extensions=nbhub_spark']);
  });

  it('adds nothing without spark_cluster, and fails the start of one whose cluster stopped or went since', async () => {
    expect(await environment(cluster()).forRuntime({ user: 'bob', server: '', profile: 'default', userOptions: { profile: 'default' } })).toBeUndefined();
    await expect(environment(cluster({ state: 'stopped', endpoints: null })).forRuntime({ user: 'bob', server: '', profile: 'default', userOptions: { spark_cluster: 'etl' } })).rejects.toThrow(
      'The Spark cluster etl is stopped, not running',
    );
    await expect(environment(undefined).forRuntime({ user: 'bob', server: '', profile: 'default', userOptions: { spark_cluster: 'etl' } })).rejects.toThrow('does not exist');
  });
});

describe('a start attached to a cluster, checked at the API', () => {
  const code = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (err) {
      return err instanceof HubError ? `${err.code}: ${err.message}` : String(err);
    }
  };
  it('refuses an unknown cluster (400), one the owner may not use (403), one not running (409), naming it', () => {
    expect(code(() => checkAttach('nope', undefined, () => true, 'bob'))).toBe('BAD_REQUEST: No such Spark cluster: nope (user_options.spark_cluster)');
    expect(code(() => checkAttach('etl', cluster(), () => false, 'carol'))).toBe('FORBIDDEN: carol may not use the Spark cluster etl');
    expect(code(() => checkAttach('etl', cluster({ state: 'starting', endpoints: null }), () => true, 'bob'))).toBe('CONFLICT: The Spark cluster etl is starting, not running: start it first');
    expect(code(() => checkAttach('etl', cluster(), () => true, 'bob'))).toBe('ok');
    expect(code(() => clusterOption({ spark_cluster: 3 }))).toBe('BAD_REQUEST: user_options.spark_cluster must be a cluster\'s name (got 3)');
  });
});
