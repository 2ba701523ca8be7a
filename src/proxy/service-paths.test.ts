import { describe, expect, it } from 'vitest';
import { parseServicePath } from './service-paths.js';

describe('parseServicePath', () => {
  it('keeps the prefix and drops the hub token from the query', () => {
    expect(parseServicePath('/services/board/api/x?a=1&token=secret')).toEqual({ kind: 'service', name: 'board', forward: '/services/board/api/x?a=1' });
    expect(parseServicePath('/services/board/')).toEqual({ kind: 'service', name: 'board', forward: '/services/board/' });
  });
  it('sends /services/{name} to its slash', () => {
    expect(parseServicePath('/services/board?x=1')).toEqual({ kind: 'slash', location: '/services/board/?x=1' });
  });
  it('is not a service path for other paths and for names no service can have', () => {
    expect(parseServicePath('/user/alice/')).toEqual({ kind: 'none' });
    expect(parseServicePath('/services/')).toEqual({ kind: 'none' });
    expect(parseServicePath('/services/%2e%2e/x')).toEqual({ kind: 'none' });
    expect(parseServicePath('/services/Board/')).toEqual({ kind: 'none' });
  });
});
