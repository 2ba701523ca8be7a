import { describe, expect, it } from 'vitest';
import { formatMemory, parseClusterInput, parseMemoryMb } from './input.js';

const limits = { maxWorkers: 4, maxWorkerCores: 8, maxWorkerMemoryMb: 8192 };

describe('a new cluster, as the API reads it', () => {
  it('takes Spark sizes and fills defaults', () => {
    expect(parseClusterInput({ name: 'etl-1' }, limits)).toEqual({ name: 'etl-1', kind: 'spark', workers: 1, workerCores: 1, workerMemoryMb: 1024, owner: undefined, users: [] });
    expect(parseClusterInput({ name: 'a', workers: 4, worker_cores: 8, worker_memory: '8g', owner: 'al', users: ['b', 'b', 'c'] }, limits)).toMatchObject({
      workers: 4,
      workerCores: 8,
      workerMemoryMb: 8192,
      owner: 'al',
      users: ['b', 'c'],
    });
    expect(parseMemoryMb('512M')).toBe(512);
    expect(parseMemoryMb(300)).toBe(300);
    expect(parseMemoryMb('1.5g')).toBeNull();
    expect([formatMemory(2048), formatMemory(1536)]).toEqual(['2g', '1536m']);
  });

  it.each([
    [{ name: 'a', workers: 5 }, /workers must be a whole number from 1 to 4/],
    [{ name: 'a', worker_cores: 9 }, /worker_cores must be a whole number from 1 to 8/],
    [{ name: 'a', worker_memory: '9g' }, /from 256m to 8g \(spark.max_worker_memory_mb\)/],
    [{ name: 'a', worker_memory: '100m' }, /worker_memory/],
    [{ name: '-a' }, /name must be/],
    [{ name: 'a'.repeat(41) }, /at most 40/],
    [{ name: 'a/b' }, /name must be/],
    [{ name: 'proxy' }, /"proxy" is reserved/],
    [{ name: 'a', users: 'bob' }, /users must be a list/],
    [{ name: 'a', owner: 3 }, /owner must be a user name/],
    [{ name: 'a', extra: 1, more: 2 }, /Unknown fields: extra, more/],
    [[], /JSON object/],
  ])('refuses %j', (body, message) => {
    expect(() => parseClusterInput(body, limits)).toThrow(message);
  });
});
