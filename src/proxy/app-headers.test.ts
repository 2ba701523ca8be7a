import { describe, expect, it } from 'vitest';
import { appDownstreamHeaders, appUpstreamHeaders } from './app-headers.js';

const ctx = { remoteAddress: '127.0.0.9', prefix: '/user/alice/proxy/8050/' };
const place = { prefix: '/user/alice/proxy/8050/', origin: 'http://127.0.0.1:8050', hubHost: 'hub:8000' };

describe('app headers', () => {
  it('sends an app no credential of the hub and no identity or forwarding claim of the client', () => {
    const out = appUpstreamHeaders(
      {
        host: 'hub:8000',
        authorization: 'token hub-secret',
        cookie: 'nbhub-session=s; nbhub-xsrf=x; app=1',
        'x-remote-user': 'admin',
        'remote-user': 'admin',
        'x-forwarded-user': 'admin',
        'x-auth-request-user': 'admin',
        'x-auth-request-email': 'admin@example.org',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-prefix': '/elsewhere',
        forwarded: 'for=10.0.0.1',
        connection: 'keep-alive',
        accept: 'text/html',
      },
      ctx,
      false,
    );
    expect(out).toEqual({
      host: 'hub:8000',
      accept: 'text/html',
      cookie: 'app=1',
      'x-forwarded-for': '127.0.0.9',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'hub:8000',
      'x-forwarded-prefix': '/user/alice/proxy/8050',
    });
  });
  it('says https to the app when a TLS front end told the hub so', () => {
    expect(appUpstreamHeaders({ 'x-forwarded-proto': 'https' }, ctx, false)['x-forwarded-proto']).toBe('https');
    expect(appUpstreamHeaders({ 'x-forwarded-proto': 'gopher' }, ctx, false)['x-forwarded-proto']).toBe('http');
  });
  it('keeps Connection and Upgrade on a WebSocket upgrade', () => {
    const out = appUpstreamHeaders({ connection: 'Upgrade', upgrade: 'websocket', authorization: 'x' }, ctx, true);
    expect(out['connection']).toBe('Upgrade');
    expect(out['upgrade']).toBe('websocket');
    expect(out['authorization']).toBeUndefined();
  });
  it("drops the hub's cookies and per-connection headers from answers and keeps redirects under the prefix", () => {
    const raw = ['Set-Cookie', 'nbhub-session=stolen; Path=/', 'Set-Cookie', 'app=1', 'Location', 'http://127.0.0.1:8050/next', 'Content-Location', '/c', 'Refresh', '0; url=/r', 'Transfer-Encoding', 'chunked', 'Connection', 'close'];
    expect(appDownstreamHeaders(raw, place, false)).toEqual(['Set-Cookie', 'app=1', 'Location', '/user/alice/proxy/8050/next', 'Content-Location', '/user/alice/proxy/8050/c', 'Refresh', '0; url=/user/alice/proxy/8050/r']);
    expect(appDownstreamHeaders(['Connection', 'Upgrade', 'Set-Cookie', 'nbhub-xsrf=x'], place, true)).toEqual(['Connection', 'Upgrade']);
  });
});
