import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { classifyRequest } from './counter.js';
import { apiMessage, isConflict, isGone, isNotFound } from './errors.js';
import { updateWithRetry } from './retry.js';
import { backoffDelay } from './backoff.js';
import { relistChanges } from './relist.js';

const conflict = () => new ApiException(409, 'Conflict', '{"kind":"Status","message":"the object has been modified","code":409}', {});

describe('updateWithRetry', () => {
  it('reads again and re-applies the change after a conflict', async () => {
    let stored = { v: 1, rv: 1 };
    let replaces = 0;
    const result = await updateWithRetry(
      async () => ({ ...stored }),
      (cur) => ({ ...cur, v: cur.v + 10 }),
      async (next) => {
        replaces += 1;
        if (replaces === 1) {
          stored = { v: 2, rv: 2 }; // another writer got in first
          throw conflict();
        }
        stored = next;
        return next;
      },
    );
    expect(result.v).toBe(12);
    expect(replaces).toBe(2);
  });

  it('gives up after the bounded attempts, and passes other errors through at once', async () => {
    let n = 0;
    await expect(updateWithRetry(async () => ({}), (c) => c, async () => (n++, Promise.reject(conflict())), { attempts: 3 })).rejects.toSatisfy(isConflict);
    expect(n).toBe(3);
    n = 0;
    await expect(updateWithRetry(async () => ({}), (c) => c, async () => (n++, Promise.reject(new ApiException(404, 'x', '', {}))))).rejects.toSatisfy(isNotFound);
    expect(n).toBe(1);
  });

  it('writes nothing when mutate says nothing changes', async () => {
    let n = 0;
    await updateWithRetry(async () => ({ a: 1 }), () => undefined, async (x) => (n++, x));
    expect(n).toBe(0);
  });
});

describe('errors', () => {
  it('tells API errors apart and keeps Kubernetes\' message', () => {
    expect(isGone(Object.assign(new Error('Gone'), { statusCode: 410 }))).toBe(true);
    expect(isConflict(conflict())).toBe(true);
    expect(apiMessage(conflict())).toBe('409: the object has been modified');
  });
});

describe('classifyRequest', () => {
  it('counts collection GETs as lists', () => {
    expect(classifyRequest('GET', 'https://h/api/v1/namespaces/d/pods?limit=5')).toBe('list');
    expect(classifyRequest('GET', 'https://h/api/v1/namespaces/d/pods/p')).toBe('other');
    expect(classifyRequest('GET', 'https://h/apis/apps/v1/namespaces/d/deployments')).toBe('list');
    expect(classifyRequest('GET', 'https://h/api/v1/nodes')).toBe('list');
    expect(classifyRequest('POST', 'https://h/api/v1/namespaces/d/pods')).toBe('other');
  });
});

describe('backoffDelay', () => {
  it('grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(0, () => 0)).toBe(250);
    expect(backoffDelay(0, () => 1)).toBe(500);
    expect(backoffDelay(3, () => 1)).toBe(4000);
    expect(backoffDelay(20, () => 1)).toBe(30_000);
    expect(backoffDelay(20, () => 0)).toBe(15_000);
  });
});

describe('relistChanges', () => {
  it('is empty when nothing changed', () => {
    const a = { metadata: { name: 'a', uid: '1', resourceVersion: '3' } };
    expect(relistChanges(new Map([['a', a]]), [a])).toEqual([]);
  });
});
