import { describe, expect, it } from 'vitest';
import type { Identity } from './identity.js';
import { crossOriginRefusal, foreignSessionChange, hubOrigin } from './origin.js';
import { builtinIdentity } from './roles.js';

const alice: Identity = builtinIdentity('alice', false, 'cookie');
const HOST = 'hub.example.com:8000';
const write = (headers: Record<string, string>) => crossOriginRefusal(alice, 'POST', { host: HOST, ...headers }, false);

describe('crossOriginRefusal (issue 16, class 1: exact origin)', () => {
  it("takes only the hub's exact origin on a cookie write or WebSocket", () => {
    expect(write({ origin: `http://${HOST}` })).toBeNull();
    expect(write({ origin: 'null' })).toMatch(/refused/);
    expect(write({ origin: `https://${HOST}` })).toMatch(/refused/);
    expect(write({ origin: 'http://hub.example.com:8001' })).toMatch(/refused/);
    expect(write({ origin: 'http://hub.example.com' })).toMatch(/refused/);
    expect(crossOriginRefusal(alice, 'POST', { host: 'hub.example.com', origin: 'http://hub.example.com.evil' }, false)).toMatch(/refused/);
    expect(crossOriginRefusal(alice, 'POST', { host: 'hub.example.com.evil', origin: 'http://hub.example.com' }, false)).toMatch(/refused/);
    expect(write({ referer: 'http://hub.example.com.evil:8000/x' })).toMatch(/refused/);
    expect(write({ referer: `http://${HOST}/user/alice/lab` })).toBeNull();
    expect(crossOriginRefusal(alice, 'GET', { host: HOST, origin: `https://${HOST}` }, true)).toMatch(/refused/);
  });
  it('reads the scheme from X-Forwarded-Proto behind TLS', () => {
    expect(write({ origin: `https://${HOST}`, 'x-forwarded-proto': 'https' })).toBeNull();
    expect(write({ origin: `http://${HOST}`, 'x-forwarded-proto': 'https' })).toMatch(/refused/);
    expect(hubOrigin({ host: 'hub.example.com:443', 'x-forwarded-proto': 'https' })).toBe('https://hub.example.com');
    expect(hubOrigin({ host: 'evil@hub.example.com' })).toBeUndefined();
    expect(hubOrigin({})).toBeUndefined();
  });
});

describe('crossOriginRefusal (issue 16, class 4: Fetch Metadata)', () => {
  it("refuses another site's no-cors and cors requests with the cookie, lets its top-level GET navigations in", () => {
    const get = (h: Record<string, string>) => crossOriginRefusal(alice, 'GET', { host: HOST, ...h }, false);
    expect(get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' })).toMatch(/Cross-site/);
    expect(get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'cors' })).toMatch(/Cross-site/);
    expect(get({ 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' })).toMatch(/Cross-site/);
    expect(get({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' })).toBeNull();
    expect(get({ 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors' })).toBeNull();
    // A cross-site form post is a navigation too, but not a read.
    expect(write({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate', origin: `http://${HOST}` })).toMatch(/Cross-site/);
    // Tokens are no ambient credential.
    expect(crossOriginRefusal({ ...alice, via: 'token' }, 'GET', { host: HOST, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors' }, false)).toBeNull();
  });
});

describe('foreignSessionChange (login and logout CSRF)', () => {
  const h = (extra: Record<string, string>) => ({ host: HOST, ...extra });
  it('refuses another site by Fetch Metadata, whatever the method, and a foreign or null Origin on a POST', () => {
    expect(foreignSessionChange('POST', h({ 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'navigate' }))).toMatch(/Cross-site/);
    expect(foreignSessionChange('GET', h({ 'sec-fetch-site': 'same-site' }))).toMatch(/Cross-site/);
    expect(foreignSessionChange('POST', h({ origin: 'http://evil.example' }))).toMatch(/Cross-origin/);
    expect(foreignSessionChange('POST', h({ origin: 'null' }))).toMatch(/Cross-origin/);
    expect(foreignSessionChange('POST', h({ origin: `https://${HOST}` }))).toMatch(/Cross-origin/);
  });
  it('lets the hub\'s own pages and clients that are not browsers through', () => {
    expect(foreignSessionChange('POST', h({ origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin' }))).toBeNull();
    expect(foreignSessionChange('POST', h({}))).toBeNull();
    expect(foreignSessionChange('GET', h({ 'sec-fetch-site': 'none' }))).toBeNull();
  });
});
