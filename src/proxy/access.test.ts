import { builtinIdentity } from '../core/roles.js';
import { describe, expect, it } from 'vitest';
import type { Identity } from '../core/identity.js';
import { decideAccess } from './access.js';

const alice: Identity = builtinIdentity('alice', false, 'cookie');
const HOST = 'hub.example.org:8000';

describe('decideAccess', () => {
  it('lets the owner in, sends a visitor without credentials to log in, refuses another user', () => {
    expect(decideAccess(alice, 'alice', 'GET', { host: HOST }, false)).toEqual({ ok: true });
    expect(decideAccess(null, 'alice', 'GET', { host: HOST }, false)).toMatchObject({ ok: false, status: 401, login: true });
    expect(decideAccess(builtinIdentity('bob', false, 'cookie'), 'alice', 'GET', { host: HOST }, false)).toMatchObject({ ok: false, status: 403 });
    expect(decideAccess(builtinIdentity('root', true, 'token'), 'alice', 'POST', { host: HOST }, false)).toEqual({ ok: true });
  });

  it("takes a cookie-authenticated write or WebSocket from the hub's own pages only", () => {
    expect(decideAccess(alice, 'alice', 'POST', { host: HOST, origin: `http://${HOST}` }, false)).toEqual({ ok: true });
    expect(decideAccess(alice, 'alice', 'PUT', { host: HOST, referer: `http://${HOST}/user/alice/lab` }, false)).toEqual({ ok: true });
    expect(decideAccess(alice, 'alice', 'GET', { host: HOST, origin: `http://${HOST}` }, true)).toEqual({ ok: true });
    expect(decideAccess(alice, 'alice', 'POST', { host: HOST, origin: 'http://hub.example.org:9999' }, false)).toMatchObject({ ok: false, status: 403 });
    expect(decideAccess(alice, 'alice', 'GET', { host: HOST, origin: 'https://evil.example' }, true)).toMatchObject({ ok: false, status: 403 });
    // A token is no ambient credential: a script or another service may send it from anywhere.
    expect(decideAccess({ ...alice, via: 'token' }, 'alice', 'POST', { host: HOST, origin: 'https://elsewhere.example' }, false)).toEqual({ ok: true });
  });

  it('refuses a cookie-authenticated write whose Origin is null', () => {
    // What Chromium sends for a form posted from a no-referrer page on another port of the same host (the
    // session cookie, SameSite=Lax, travels along: same site): before, it reached the runtime and created a file.
    const verdict = decideAccess(alice, 'alice', 'POST', { host: HOST, origin: 'null', 'content-type': 'text/plain' }, false);
    expect(verdict).toMatchObject({ ok: false, status: 403, message: 'Cross-origin request from null refused' });
    expect(decideAccess(alice, 'alice', 'GET', { host: HOST, origin: 'null' }, true)).toMatchObject({ ok: false, status: 403 });
    expect(decideAccess(alice, 'alice', 'POST', { origin: 'null' }, false)).toMatchObject({ ok: false, status: 403 });
  });
});
