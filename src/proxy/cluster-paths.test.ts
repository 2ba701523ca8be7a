import { describe, expect, it } from 'vitest';
import { parseClusterPath } from './cluster-paths.js';

describe('parseClusterPath', () => {
  it('strips the prefix and drops the hub token from the query', () => {
    expect(parseClusterPath('/clusters/demo/')).toEqual({ kind: 'cluster', name: 'demo', prefix: '/clusters/demo/', forward: '/' });
    expect(parseClusterPath('/clusters/demo/proxy/worker-1/logPage/?self&logType=out&token=secret')).toEqual({
      kind: 'cluster',
      name: 'demo',
      prefix: '/clusters/demo/',
      forward: '/proxy/worker-1/logPage/?self=&logType=out',
    });
    expect(parseClusterPath('/clusters/demo/static/webui.css?v=1')).toMatchObject({ kind: 'cluster', forward: '/static/webui.css?v=1' });
  });
  it('keeps a query without a token as sent', () => {
    expect(parseClusterPath('/clusters/demo/log/?driverId=driver-1&logType=stdout')).toMatchObject({ forward: '/log/?driverId=driver-1&logType=stdout' });
  });
  it('sends /clusters/{name} to its slash, query and all but a token (issue 16: no token in a Location the hub writes)', () => {
    expect(parseClusterPath('/clusters/demo')).toEqual({ kind: 'slash', location: '/clusters/demo/' });
    expect(parseClusterPath('/clusters/demo?a=1&token=abc')).toEqual({ kind: 'slash', location: '/clusters/demo/?a=1' });
  });
  it('leaves other paths to the hub', () => {
    expect(parseClusterPath('/clusters')).toEqual({ kind: 'none' });
    expect(parseClusterPath('/hub/api/clusters/demo')).toEqual({ kind: 'none' });
    expect(parseClusterPath('/user/alice/clusters/demo/')).toEqual({ kind: 'none' });
  });
  it('refuses dot segments and encoded slashes or dots, anywhere in the path', () => {
    for (const url of [
      '/clusters/demo/../other/',
      '/clusters/demo/proxy/./x',
      '/clusters/demo/proxy/%2e%2e/x',
      '/clusters/demo/proxy/%2E/x',
      '/clusters/demo/a%2Fb',
      '/clusters/demo/a%5cb',
      '/clusters/demo/a\\b',
      '/clusters/demo/%zz',
      '/clusters/%64emo/',
      '/clusters/../hub/api/',
      '/clusters/',
    ]) {
      expect(parseClusterPath(url).kind, url).toBe('bad');
    }
  });
  it('lets harmless encodings through to Spark', () => {
    expect(parseClusterPath('/clusters/demo/app/?id=a%2Fb')).toMatchObject({ kind: 'cluster', forward: '/app/?id=a%2Fb' });
    expect(parseClusterPath('/clusters/demo/x%20y/')).toMatchObject({ kind: 'cluster', forward: '/x%20y/' });
  });
});
