import { describe, expect, it } from 'vitest';
import { parseMasterState } from '../clusters/master-json.js';
import { appNameOf, createSubmissionRequest, parseCreateResponse, parseKillResponse, parseStatusResponse, stripLogHeader, toJobState } from './spark-rest.js';

// Answers as Spark 4.3's standalone master gave them (recorded from a real master on loopback).
describe("the master's REST answers", () => {
  it('CreateSubmissionResponse and ErrorResponse', () => {
    expect(
      parseCreateResponse(200, { action: 'CreateSubmissionResponse', message: 'Driver successfully submitted as driver-20261206212639-0000', serverSparkVersion: '4.3.0', submissionId: 'driver-20261206212639-0000', success: true }),
    ).toEqual({ ok: true, submissionId: 'driver-20261206212639-0000' });
    expect(
      parseCreateResponse(400, { action: 'ErrorResponse', message: 'Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation of message CreateSubmissionRequest failed!\n\torg.apache.spark…', serverSparkVersion: '4.3.0' }),
    ).toEqual({ ok: false, message: 'Malformed request: org.apache.spark.deploy.rest.SubmitRestProtocolException: Validation of message CreateSubmissionRequest failed!' });
    expect(parseCreateResponse(502, 'x')).toEqual({ ok: false, message: 'HTTP 502' });
  });

  it('SubmissionStatusResponse, known and unknown drivers', () => {
    expect(
      parseStatusResponse({ action: 'SubmissionStatusResponse', driverState: 'RUNNING', serverSparkVersion: '4.3.0', submissionId: 'driver-1', success: true, workerHostPort: '127.0.0.1:34181', workerId: 'worker-20261206212616-127.0.0.1-34181' }),
    ).toEqual({ state: 'RUNNING', workerId: 'worker-20261206212616-127.0.0.1-34181', workerHostPort: '127.0.0.1:34181', message: null });
    expect(parseStatusResponse({ action: 'SubmissionStatusResponse', serverSparkVersion: '4.3.0', submissionId: 'driver-nope', success: false })).toBeNull();
    expect(parseStatusResponse({ success: true, driverState: 'ERROR', message: 'Exception from the cluster:\njava.lang.ClassNotFoundException' })).toMatchObject({ state: 'ERROR', message: 'Exception from the cluster:', workerId: null });
  });

  it('maps driver states, anything unknown to UNKNOWN', () => {
    for (const s of ['SUBMITTED', 'RUNNING', 'RELAUNCHING', 'FINISHED', 'FAILED', 'KILLED', 'ERROR']) expect(toJobState(s)).toBe(s);
    expect(toJobState('NEW_STATE')).toBe('UNKNOWN');
    expect(toJobState(undefined)).toBe('UNKNOWN');
  });

  it('KillSubmissionResponse', () => {
    expect(parseKillResponse({ action: 'KillSubmissionResponse', message: 'Kill request for driver-1 submitted', submissionId: 'driver-1', success: true })).toEqual({ ok: true, message: 'Kill request for driver-1 submitted' });
    expect(parseKillResponse({ message: 'Driver driver-nope has already finished or does not exist', success: false })).toEqual({ ok: false, message: 'Driver driver-nope has already finished or does not exist' });
  });

  it("the master UI's JSON: applications by name, workers' UIs", () => {
    const state = parseMasterState({
      url: 'spark://127.0.0.1:47077',
      workers: [{ id: 'worker-1', host: '127.0.0.1', port: 33449, webuiaddress: 'http://127.0.0.1:48081', state: 'ALIVE' }],
      activeapps: [{ id: 'app-2', name: 'Pi [nbhub job b]', state: 'RUNNING' }],
      completedapps: [{ id: 'app-1', name: 'Pi [nbhub job a]', state: 'FINISHED' }],
      activedrivers: [],
      status: 'ALIVE',
    });
    expect(state).toEqual({
      apps: [
        { id: 'app-2', name: 'Pi [nbhub job b]', state: 'RUNNING', active: true },
        { id: 'app-1', name: 'Pi [nbhub job a]', state: 'FINISHED', active: false },
      ],
      workers: [{ id: 'worker-1', webui: 'http://127.0.0.1:48081', state: 'ALIVE' }],
    });
    expect(parseMasterState(null)).toEqual({ apps: [], workers: [] });
  });

  it("a worker's log page without its header (which names the worker's folders)", () => {
    expect(stripLogHeader('==== Bytes 0-22 of 22 of /tmp/work2/driver-1/stdout ====\nPi is roughly 3.13948\n')).toBe('Pi is roughly 3.13948\n');
  });
});

describe('the submission the hub sends', () => {
  it('cluster mode, the signed URL as resource and jar, the UI under the hub, the user, the job named', () => {
    const url = 'http://127.0.0.1:7070/jobs/pi.jar?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab';
    const name = appNameOf('j1', 'org.example.SparkPi', {});
    expect(name).toBe('SparkPi [nbhub job j1]');
    expect(appNameOf('j1', 'Pi', { 'spark.app.name': 'nightly' })).toBe('nightly [nbhub job j1]');
    expect(appNameOf('j1', '', {}, 's3://jobs/etl/run.py')).toBe('run.py [nbhub job j1]');
    const req = createSubmissionRequest({
      resourceUrl: url,
      mainClass: 'org.example.SparkPi',
      args: ['10'],
      conf: { 'spark.executor.memory': '512m', 'spark.app.name': 'mine' },
      endpoints: { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: 'http://127.0.0.1:8080' },
      uiPrefix: '/clusters/c1',
      appName: name,
      user: 'alice',
    });
    expect(req).toEqual({
      action: 'CreateSubmissionRequest',
      appResource: url,
      mainClass: 'org.example.SparkPi',
      appArgs: ['10'],
      clientSparkVersion: '4.3.0',
      environmentVariables: { SPARK_USER: 'alice' },
      sparkProperties: {
        'spark.executor.memory': '512m',
        'spark.app.name': 'SparkPi [nbhub job j1]',
        'spark.master': 'spark://127.0.0.1:7077',
        'spark.submit.deployMode': 'cluster',
        'spark.jars': url,
        'spark.ui.reverseProxy': 'true',
        'spark.ui.reverseProxyUrl': '/clusters/c1',
      },
    });
  });
});
