import { describe, expect, it } from 'vitest';
import { clusterLogDir, logName, nextStartId, ownerOfDir, parseClusterStream, parseLogName, parseStream, serverLogDir, serviceLogDir } from './layout.js';
import { isValidUserName } from '../core/names.js';
import { startsToDelete } from './retention.js';
import { groupStarts } from './starts.js';

describe('log layout', () => {
  it('names each stream of a start and reads the names back', () => {
    expect(logName('1700000000000', 'runtime')).toBe('1700000000000-runtime.log');
    expect(logName('1700000000000', 'app:board')).toBe('1700000000000-app-board.log');
    expect(parseLogName('1700000000000-app-board.log.1')).toEqual({ kind: 'log', start: '1700000000000', stream: 'app:board', suffix: '.1' });
    expect(parseLogName('1700000000000-runtime.log.pos')).toEqual({ kind: 'log', start: '1700000000000', stream: 'runtime', suffix: '.pos' });
    expect(parseLogName('1700000000000.json')).toEqual({ kind: 'meta', start: '1700000000000' });
    expect(parseLogName('output.log')).toBeNull();
    expect(parseLogName('1700000000000-runtime.log.1.tmp')).toBeNull();
  });

  it('keeps the default server apart from named ones and refuses paths out of the data dir', () => {
    expect(serverLogDir('/d', 'alice', '')).toBe('/d/logs/alice/_default');
    expect(serverLogDir('/d', 'alice', 'lab')).toBe('/d/logs/alice/lab');
    expect(() => serverLogDir('/d', '..', 'x')).toThrow(/outside/);
    expect(() => serverLogDir('/d', 'alice', '../bob')).toThrow(/outside/);
  });

  it("keeps a managed service's starts in a folder no user can have", () => {
    expect(serviceLogDir('/d', 'board')).toBe('/d/logs/_services/board');
    expect(isValidUserName('_services')).toBe(false);
    expect(logName('1700000000000', 'service')).toBe('1700000000000-service.log');
    expect(parseLogName('1700000000000-service.log.1')).toEqual({ kind: 'log', start: '1700000000000', stream: 'service', suffix: '.1' });
    expect(ownerOfDir('_services', 'board')).toEqual({ kind: 'service', service: 'board' });
    expect(ownerOfDir('alice', '_default')).toEqual({ kind: 'server', user: 'alice', server: '' });
    expect(() => serviceLogDir('/d', '../alice')).toThrow(/outside/);
    // The server API never reads a service's stream.
    expect(parseStream('service')).toBeNull();
  });

  it("keeps a cluster's starts in a folder no user can have, one log per process, names read both ways", () => {
    expect(clusterLogDir('/d', 'etl')).toBe('/d/logs/_clusters/etl');
    expect(isValidUserName('_clusters')).toBe(false);
    expect(logName('1700000000000', 'process:master')).toBe('1700000000000-process-master.log');
    expect(logName('1700000000000', 'process:worker-12')).toBe('1700000000000-process-worker-12.log');
    expect(parseLogName('1700000000000-process-worker-12.log')).toEqual({ kind: 'log', start: '1700000000000', stream: 'process:worker-12', suffix: '' });
    expect(parseLogName('1700000000000-process-master.log.pos')).toEqual({ kind: 'log', start: '1700000000000', stream: 'process:master', suffix: '.pos' });
    expect(parseLogName('1700000000000-process-.log')).toBeNull();
    expect(ownerOfDir('_clusters', 'etl')).toEqual({ kind: 'cluster', cluster: 'etl' });
    expect(() => clusterLogDir('/d', '../alice')).toThrow(/outside/);
    expect(groupStarts([{ name: '5-process-master.log', size: 3 }, { name: '5-process-worker-1.log.1', size: 4 }, { name: '5.json', size: 1 }]).get('5')).toEqual({
      bytes: 8,
      streams: new Set(['process:master', 'process:worker-1']),
    });
    // The cluster API reads process streams only, the server API never does.
    expect(parseClusterStream('process:worker-1')).toBe('process:worker-1');
    expect(parseClusterStream('process:../x')).toBeNull();
    expect(parseClusterStream('runtime')).toBeNull();
    expect(parseStream('process:master')).toBeNull();
  });

  it('gives a second start in the same millisecond its own id', () => {
    expect(nextStartId(1000, undefined)).toBe('1000');
    expect(nextStartId(1000, '1000')).toBe('1001');
    expect(nextStartId(2000, '1000')).toBe('2000');
  });

  it('accepts runtime and app streams only', () => {
    expect(parseStream('runtime')).toBe('runtime');
    expect(parseStream('app:my-app')).toBe('app:my-app');
    expect(parseStream('app:../x')).toBeNull();
    expect(parseStream('hub')).toBeNull();
  });

  it('groups files by start, with their bytes and streams', () => {
    const g = groupStarts([
      { name: '1-runtime.log', size: 10 },
      { name: '1-runtime.log.1', size: 100 },
      { name: '1-runtime.log.pos', size: 2 },
      { name: '1-app-board.log', size: 5 },
      { name: '1.json', size: 30 },
      { name: '2-runtime.log', size: 7 },
      { name: 'stray.txt', size: 1000 },
    ]);
    expect(g.get('1')).toEqual({ bytes: 147, streams: new Set(['runtime', 'app:board']) });
    expect(g.get('2')?.bytes).toBe(7);
  });
});

describe('retention', () => {
  const starts = [
    { id: '3', bytes: 10 },
    { id: '1', bytes: 10 },
    { id: '2', bytes: 10 },
  ];
  it('drops the oldest starts past the count', () => {
    expect(startsToDelete(starts, 2, 1e9)).toEqual(['1']);
    expect(startsToDelete(starts, 1, 1e9)).toEqual(['1', '2']);
    expect(startsToDelete(starts, 5, 1e9)).toEqual([]);
  });
  it('drops the oldest starts past the bytes, never the newest', () => {
    expect(startsToDelete(starts, 10, 20)).toEqual(['1']);
    expect(startsToDelete(starts, 10, 5)).toEqual(['1', '2']);
  });
});
