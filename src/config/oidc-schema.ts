import { z } from 'zod';

/** OpenID Connect settings (issue 16): the provider, this hub's client there, and how its claims map to users. */
export const oidcSchema = z
  .object({
    issuer: z.string().url().optional().describe("The provider's issuer URL (its /.well-known/openid-configuration is read from it). Required with auth.authenticator: oidc."),
    client_id: z.string().min(1).optional().describe("This hub's client id at the provider. Required with auth.authenticator: oidc."),
    client_secret: z.string().default('').describe("This hub's client secret at the provider (empty: a public client, PKCE only). Never logged."),
    scopes: z.array(z.string().min(1)).default(['openid', 'profile', 'email']).describe('Scopes asked of the provider (openid is added when missing).'),
    username_claim: z.string().min(1).default('preferred_username').describe("The ID token claim that names the hub user. With `email`, the provider must also say `email_verified: true`."),
    groups_claim: z.string().default('').describe("The claim that lists the user's groups, which become their hub groups (empty: groups are not managed by the provider)."),
    allowed_groups: z.array(z.string().min(1)).default([]).describe('Only members of one of these groups may log in (empty: anyone the provider vouches for). Needs groups_claim.'),
    admin_groups: z.array(z.string().min(1)).default([]).describe('Members of one of these groups are hub admins, others not (empty: the hub keeps its own admin flags). Needs groups_claim.'),
    redirect_url: z.string().url().optional().describe("The callback URL as registered at the provider (…/hub/oauth_callback); default: built from the request's host."),
    refresh_seconds: z.number().int().min(1).default(300).describe("How often a session's tokens are refreshed with the provider, re-reading groups and admin; a refusal ends the session."),
    logout_redirect: z.boolean().default(false).describe("Logout also ends the provider's session (its end_session_endpoint), then comes back to the hub's login page."),
    allow_http_issuer: z.boolean().default(false).describe('Allow an http:// issuer on a loopback address (tests only; a real provider is https).'),
  })
  .strict();

/** With auth.authenticator: oidc, the provider and the client must be named (checked from auth's schema). */
export const checkOidcRequired = (auth: { authenticator: string; oidc: z.infer<typeof oidcSchema> }, ctx: z.RefinementCtx): void => {
  if (auth.authenticator !== 'oidc') return;
  for (const key of ['issuer', 'client_id'] as const) {
    if (auth.oidc[key] === undefined) ctx.addIssue({ code: 'custom', path: ['oidc', key], message: `auth.oidc.${key} is required with auth.authenticator: oidc` });
  }
  const o = auth.oidc;
  if ((o.allowed_groups.length > 0 || o.admin_groups.length > 0) && o.groups_claim === '') {
    ctx.addIssue({ code: 'custom', path: ['oidc', 'groups_claim'], message: 'auth.oidc.allowed_groups and admin_groups need auth.oidc.groups_claim' });
  }
  if (o.issuer?.startsWith('http://')) {
    const host = new URL(o.issuer).hostname;
    if (!o.allow_http_issuer || !['127.0.0.1', 'localhost', '[::1]'].includes(host)) {
      ctx.addIssue({ code: 'custom', path: ['oidc', 'issuer'], message: 'must be https://, or http:// on a loopback address with auth.oidc.allow_http_issuer: true (tests only)' });
    }
  }
};
