import { describe, expect, it } from 'vitest';
import { parseUserPath, stripTokenParam, tokenParam, uncanonical, withoutToken } from './paths.js';

describe('parseUserPath', () => {
  it('splits the user and the first segment and keeps the path', () => {
    expect(parseUserPath('/user/alice/lab/api/kernels?x=1')).toEqual({ user: 'alice', firstSegment: 'lab', forward: '/user/alice/lab/api/kernels?x=1' });
    expect(parseUserPath('/user/alice/')).toEqual({ user: 'alice', firstSegment: undefined, forward: '/user/alice/' });
    expect(parseUserPath('/user/alice')).toEqual({ user: 'alice', firstSegment: undefined, forward: '/user/alice' });
  });
  it('drops the hub token from the forwarded query', () => {
    expect(parseUserPath('/user/a/api/kernels/k/channels?session_id=s&token=secret')?.forward).toBe('/user/a/api/kernels/k/channels?session_id=s');
    expect(stripTokenParam('?token=x')).toBe('');
    expect(tokenParam('/user/a/?token=abc')).toBe('abc');
  });
  it('refuses what is not a user path or cannot be decoded', () => {
    expect(parseUserPath('/hub/api')).toBeUndefined();
    expect(parseUserPath('/user/%E0%A4%A/')).toBeUndefined();
  });
});

describe('withoutToken', () => {
  it('keeps a URL as it is but for its token, for logs', () => {
    expect(withoutToken('/user/alice/api?token=s3cret&x=1')).toBe('/user/alice/api?x=1');
    expect(withoutToken('/user/alice/api?token=s3cret')).toBe('/user/alice/api');
    expect(withoutToken('/user/alice/api')).toBe('/user/alice/api');
  });
});

describe('uncanonical (issue 16, class 8: one spelling decides the owner)', () => {
  it.each([
    '/user/alice/../bob/',
    '/user/alice/%2e%2e/bob/',
    '/user/alice/.%2E/bob/',
    '/user/alice/./lab',
    '/user/alice%2f..%2fbob/',
    '/user/alice%2Fx/',
    '/user/alice;x=1/lab',
    '/user/alice\\..\\bob/',
    '/user/alice/%5c../bob/',
    '/user//bob/',
    '/user/alice//bob/',
  ])('refuses %j', (url) => expect(uncanonical(url)).not.toBeNull());
  it('takes plain paths', () => {
    expect(uncanonical('/user/alice/')).toBeNull();
    expect(uncanonical('/user/alice/lab/tree/a%20b.ipynb?x=..')).toBeNull();
    expect(uncanonical('/user/alice/api/contents/.hidden/x')).toBeNull();
  });
});
