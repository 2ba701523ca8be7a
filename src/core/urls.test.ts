import { describe, expect, it } from 'vitest';
import { hubLocation, loggableUrl, safeRedirectPath } from './urls.js';

describe('safeRedirectPath (issue 16, class 2: redirects stay on the hub)', () => {
  it('keeps paths on the hub', () => {
    expect(safeRedirectPath('/user/alice/lab?x=1')).toBe('/user/alice/lab?x=1');
    expect(safeRedirectPath('/hub/%2F%2Fevil.example')).toBe('/hub/%2F%2Fevil.example');
    expect(safeRedirectPath('/%5Cevil.example')).toBe('/%5Cevil.example');
  });
  it.each([
    '//evil.example/',
    '/\\evil.example',
    '/./\\evil.example',
    '/.//evil.example/',
    '/a/..//evil.example/',
    '/%2e/..//evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '',
  ])('sends %j to the console', (next) => {
    const out = safeRedirectPath(next);
    expect(out === '/hub/' || !/^\/[/\\]/.test(out)).toBe(true);
    expect(new URL(out, 'http://hub.example').host).toBe('hub.example');
  });
  it('hub-made Locations carry no token', () => {
    expect(hubLocation('/services/x/?a=1&token=secret')).toBe('/services/x/?a=1');
    expect(hubLocation('//evil.example')).toBe('/hub/');
  });
});

describe('loggableUrl (issue 16, class 10)', () => {
  it('redacts credential-bearing query values', () => {
    expect(loggableUrl('/user/a/lab?token=s3cret&x=1')).toBe('/user/a/lab?token=%5Bredacted%5D&x=1');
    expect(loggableUrl('/hub/oauth_callback?code=c0de&state=st4te')).not.toMatch(/c0de|st4te/);
    expect(loggableUrl('/hub/api/users')).toBe('/hub/api/users');
  });
});
