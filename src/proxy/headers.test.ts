import { describe, expect, it } from 'vitest';
import { downstreamHeaders, scopeRuntimeCookie, upstreamHeaders } from './headers.js';

describe('proxy headers', () => {
  it("sends the runtime's token upstream, never the client's credentials or the hub's cookies", () => {
    const out = upstreamHeaders(
      { authorization: 'token hub-secret', cookie: 'nbhub-session=s; _xsrf=j; nbhub-xsrf=x', host: 'hub:8000', connection: 'keep-alive' },
      'runtime-secret',
      '127.0.0.1',
      false,
    );
    expect(out['authorization']).toBe('token runtime-secret');
    expect(out['cookie']).toBe('_xsrf=j');
    expect(out['host']).toBe('hub:8000');
    expect(out['connection']).toBeUndefined();
  });
  it("drops a runtime's attempt to set the hub's cookies, and per-connection headers", () => {
    const out = downstreamHeaders(['Set-Cookie', 'nbhub-session=stolen; Path=/', 'Set-Cookie', '_xsrf=ok', 'Connection', 'close', 'Content-Type', 'text/html'], '/user/alice/');
    expect(out).toEqual(['Set-Cookie', '_xsrf=ok; Path=/user/alice/', 'Content-Type', 'text/html']);
  });
});

describe('runtime headers (issue 16)', () => {
  it('class 5: keeps a runtime cookie under its prefix, never over the hub', () => {
    const p = '/user/alice/';
    expect(scopeRuntimeCookie('_xsrf=1; Path=/user/alice/; HttpOnly', p)).toBe('_xsrf=1; Path=/user/alice/; HttpOnly');
    expect(scopeRuntimeCookie('x=1; Path=/hub/', p)).toBe('x=1; Path=/user/alice/');
    expect(scopeRuntimeCookie('x=1; Path=/', p)).toBe('x=1; Path=/user/alice/');
    expect(scopeRuntimeCookie('x=1; Path=/user/alice/../bob/', p)).toBe('x=1; Path=/user/alice/');
    expect(scopeRuntimeCookie('x=1; Domain=example.com; Path=/user/bob/', p)).toBe('x=1; Path=/user/alice/');
    expect(scopeRuntimeCookie('x=1', p)).toBe('x=1; Path=/user/alice/');
    expect(scopeRuntimeCookie('nbhub-xsrf=forged; Path=/user/alice/', p)).toBeNull();
    expect(scopeRuntimeCookie('__Host-nbhub-session=forged; Path=/; Secure', p)).toBeNull();
    expect(scopeRuntimeCookie('__Host-other=1; Path=/; Secure', p)).toBeNull();
  });
  it('class 6: strips client identity and forwarding claims; the hub says who the client is', () => {
    const out = upstreamHeaders(
      {
        host: 'hub:8000',
        'x-remote-user': 'root',
        'remote-user': 'root',
        'x-forwarded-user': 'root',
        'x-forwarded-email': 'root@x',
        'x-forwarded-preferred-username': 'root',
        'x-auth-request-user': 'root',
        'x-forwarded-for': '10.9.9.9',
        'x-forwarded-host': 'evil',
        'x-forwarded-proto': 'gopher',
        'x-forwarded-prefix': '/evil',
        'x-forwarded-port': '1',
        'proxy-authorization': 'Basic x',
      },
      'rt',
      '127.0.0.1',
      false,
    );
    expect(out).toEqual({ host: 'hub:8000', authorization: 'token rt', 'x-nbhub-auth': 'rt', 'x-forwarded-for': '127.0.0.1', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'hub:8000' });
  });
});
