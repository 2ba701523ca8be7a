import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

const oidc = (o: Record<string, unknown>) => loadConfig({ env: {}, overrides: { auth: { authenticator: 'oidc', oidc: o } } });
const base = { issuer: 'https://id.example.org/realms/x', client_id: 'nbhub' };

describe('auth.oidc config', () => {
  it('takes the provider and client, with defaults for the rest', () => {
    expect(oidc(base).auth.oidc).toMatchObject({ ...base, client_secret: '', scopes: ['openid', 'profile', 'email'], username_claim: 'preferred_username', groups_claim: '', refresh_seconds: 300, logout_redirect: false });
  });
  it('stops on a misspelled or unknown key, naming it', () => {
    expect(() => oidc({ ...base, client_secert: 'x' })).toThrow(/auth\.oidc\.client_secert: unknown key/);
    expect(() => oidc({ ...base, groups_claims: 'groups' })).toThrow(/auth\.oidc\.groups_claims: unknown key/);
  });
  it('stops when oidc is chosen without issuer or client_id, naming the key', () => {
    expect(() => oidc({ client_id: 'nbhub' })).toThrow(/auth\.oidc\.issuer: auth\.oidc\.issuer is required/);
    expect(() => oidc({ issuer: base.issuer })).toThrow(/auth\.oidc\.client_id: auth\.oidc\.client_id is required/);
    // Not chosen: nothing is required.
    expect(loadConfig({ env: {} }).auth.oidc.issuer).toBeUndefined();
  });
  it('allows an http:// issuer only on loopback, and only when asked', () => {
    expect(() => oidc({ ...base, issuer: 'http://127.0.0.1:9000' })).toThrow(/auth\.oidc\.issuer: must be https:\/\//);
    expect(() => oidc({ ...base, issuer: 'http://id.example.org', allow_http_issuer: true })).toThrow(/auth\.oidc\.issuer: must be https:\/\//);
    expect(oidc({ ...base, issuer: 'http://127.0.0.1:9000', allow_http_issuer: true }).auth.oidc.issuer).toBe('http://127.0.0.1:9000');
  });
  it('needs groups_claim for allowed_groups and admin_groups', () => {
    expect(() => oidc({ ...base, admin_groups: ['ops'] })).toThrow(/auth\.oidc\.groups_claim/);
  });
});
