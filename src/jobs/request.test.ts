import { describe, expect, it } from 'vitest';
import type { HubError } from '../core/errors.js';
import type { JobRequest } from '../core/spark-jobs.js';
import { checkJobRequest, JOB_LIMITS } from './request.js';

const ok: JobRequest = { resource: 's3://jobs/pi.jar', main_class: 'org.example.SparkPi', args: ['10'], conf: { 'spark.executor.memory': '512m' } };
const refusal = (r: Partial<JobRequest> & Record<string, unknown>): string => {
  try {
    checkJobRequest({ ...ok, ...r });
  } catch (e) {
    expect((e as HubError).code).toBe('BAD_REQUEST');
    return (e as HubError).message;
  }
  throw new Error('accepted');
};

describe('checkJobRequest', () => {
  it('accepts a jar, a class, string args and Spark properties', () => {
    expect(checkJobRequest(ok)).toEqual({
      kind: 'jar',
      resource: 's3://jobs/pi.jar',
      location: { bucket: 'jobs', key: 'pi.jar' },
      mainClass: 'org.example.SparkPi',
      args: ['10'],
      conf: { 'spark.executor.memory': '512m' },
    });
    expect(checkJobRequest({ resource: 's3://jobs/a.jar', main_class: 'Main$Inner' })).toMatchObject({ args: [], conf: {} });
  });

  it('takes a .py file as a Python job in client mode, without main_class', () => {
    expect(checkJobRequest({ resource: 's3://jobs/etl/run.py', main_class: undefined, args: ['x'] })).toMatchObject({ kind: 'python', mainClass: '', args: ['x'] });
    expect(refusal({ resource: 's3://jobs/run.py', main_class: 'Main' })).toBe('main_class is for jars: a Python file (.py) runs as its own main');
  });

  it('refuses a resource that is not s3://bucket/key', () => {
    expect(refusal({ resource: 'https://x/y.jar' })).toMatch(/s3:\/\/bucket\/key/);
    expect(refusal({ resource: 7 })).toMatch(/resource must be a string/);
  });

  it('refuses a main_class that is not a Java class name', () => {
    for (const c of ['', 'org..Main', '1Main', 'org.example.Main;rm', 'a b', 42]) expect(refusal({ main_class: c })).toMatch(/main_class must be a Java class name/);
  });

  it('refuses args that are not a bounded list of strings, naming the index', () => {
    expect(refusal({ args: 'x' })).toMatch(/args must be a list/);
    expect(refusal({ args: ['a', 3] })).toBe('args[1] must be a string, not number');
    expect(refusal({ args: Array(JOB_LIMITS.args + 1).fill('a') })).toMatch(/at most 256/);
    expect(refusal({ args: ['x'.repeat(JOB_LIMITS.argBytes + 1)] })).toMatch(/args\[0\] is longer/);
  });

  it('refuses conf that is not string to string, or keys the hub owns, naming the key', () => {
    expect(refusal({ conf: ['a'] })).toMatch(/conf must be an object/);
    expect(refusal({ conf: { 'spark.executor.cores': 2 } })).toBe('conf spark.executor.cores must be a string, not number');
    expect(refusal({ conf: { 'hadoop.x': 'y' } })).toMatch(/"hadoop.x" is not a Spark property/);
    for (const k of ['spark.master', 'spark.submit.deployMode', 'spark.jars', 'spark.ui.reverseProxy', 'spark.ui.reverseProxyUrl', 'spark.master.rest.enabled', 'spark.driver.host']) {
      expect(refusal({ conf: { [k]: 'x' } })).toMatch(new RegExp(`^conf ${k.replace(/\./g, '\\.')} is set by the hub`));
    }
  });
});
