// A real OpenID provider for the tests (oidc-provider 9), in its own process: node oidc-provider.mjs PORT.
// Prints "ready" once it listens. Its accounts, a tamper mode for the token endpoint (a test's interposer) and the
// revocation of the refresh tokens it issued are set through /__test/* (loopback only, tests only).
import { generateKeyPair, exportJWK, SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.argv[2]);
const issuer = `http://127.0.0.1:${port}`;

/** accountId → claims; replaced by PUT /__test/accounts. */
let accounts = {};
/** 'pass' | 'foreign-key' (re-sign id_token with a key not in the JWKS) | 'replay' (answer with the last code grant's id_token). */
let mode = 'pass';
let lastIdToken;
const issuedRefreshTokens = new Set();
/** Every token the token endpoint answered with, for tests that check the hub never logs one. */
const everIssued = [];

const signing = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(signing.privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const foreign = await generateKeyPair('RS256');

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'nbhub',
      client_secret: 'nbhub-test-secret',
      redirect_uris: ['http://127.0.0.1/hub/oauth_callback'],
      post_logout_redirect_uris: ['http://127.0.0.1/hub/login'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    },
  ],
  jwks: { keys: [jwk] },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  findAccount: (_ctx, id) => (accounts[id] ? { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) } : undefined),
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'], email: ['email', 'email_verified'], groups: ['groups'] },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'groups'],
  // Claims in the ID token itself (not only at userinfo), as Keycloak and most providers send them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // No consent screen: the test user has agreed to everything the hub asks.
  loadExistingGrant: async (ctx) => {
    const id = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (id) return ctx.oidc.provider.Grant.find(id);
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid offline_access profile email groups');
    await grant.save();
    return grant;
  },
  ttl: { AccessToken: 600, IdToken: 600, RefreshToken: 3600, Session: 3600, Grant: 3600, Interaction: 600 },
});
provider.proxy = false;
// Any hub port on loopback: the hub's test port is chosen when it starts.
const loopback = (uri, path) => /^http:\/\/127\.0\.0\.1:\d+$/.test(new URL(uri).origin) && new URL(uri).pathname === path;
provider.Client.prototype.redirectUriAllowed = (uri) => loopback(uri, '/hub/oauth_callback');
provider.Client.prototype.postLogoutRedirectUriAllowed = (uri) => loopback(uri, '/hub/login');

const readJson = async (req) => {
  let s = '';
  for await (const chunk of req) s += chunk;
  return JSON.parse(s || '{}');
};

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test/accounts' && ctx.method === 'PUT') {
    accounts = await readJson(ctx.req);
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__test/mode' && ctx.method === 'PUT') {
    mode = (await readJson(ctx.req)).mode;
    ctx.status = 204;
    return;
  }
  if (ctx.path === '/__test/revoke-refresh' && ctx.method === 'POST') {
    for (const value of issuedRefreshTokens) {
      const t = await provider.RefreshToken.find(value, { ignoreExpiration: true });
      await t?.destroy();
    }
    ctx.body = { revoked: issuedRefreshTokens.size };
    issuedRefreshTokens.clear();
    return;
  }
  if (ctx.path === '/__test/issued' && ctx.method === 'GET') {
    ctx.body = everIssued;
    return;
  }
  await next();
  if (ctx.path !== '/token' || ctx.status !== 200 || typeof ctx.body !== 'object') return;
  const body = ctx.body;
  for (const k of ['access_token', 'refresh_token', 'id_token']) if (body[k]) everIssued.push(body[k]);
  if (body.refresh_token) issuedRefreshTokens.add(body.refresh_token);
  if (!body.id_token) return;
  const original = body.id_token;
  if (mode === 'foreign-key') {
    // Same claims and kid, signed by a key the provider never published: only a signature check tells.
    body.id_token = await new SignJWT(decodeJwt(original)).setProtectedHeader(decodeProtectedHeader(original)).sign(foreign.privateKey);
  } else if (mode === 'replay' && lastIdToken) {
    body.id_token = lastIdToken;
  }
  lastIdToken = original;
});

provider.listen(port, '127.0.0.1', () => console.log('ready'));
