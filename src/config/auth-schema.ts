import { z } from 'zod';
import { ldapConfigProblems, ldapSchema } from './ldap-schema.js';
import { localLoginSchema } from './local-login-schema.js';
import { checkOidcRequired, oidcSchema } from './oidc-schema.js';
import { rolesSchema } from './roles-schema.js';

/** Who may log in and what they may do (issue 16): the authenticator, its settings, roles and groups. */
export const authSchema = z
  .object({
    authenticator: z
      .enum(['local', 'ldap', 'oidc'])
      .default('local')
      .describe('How people log in: local (passwords in the hub), ldap (a directory, through POST /hub/login) or oidc (an OpenID Connect provider, through /hub/oauth_login).'),
    local: localLoginSchema.prefault({}).describe('Local accounts: failed-login limits.'),
    ldap: ldapSchema.prefault({}).describe('LDAP (auth.authenticator: ldap).'),
    oidc: oidcSchema.prefault({}).describe('OpenID Connect (auth.authenticator: oidc).'),
    roles: rolesSchema,
    websocket_recheck_seconds: z
      .number()
      .int()
      .min(1)
      .max(3600)
      .default(5)
      .describe(
        "How often the proxies ask again whether each open WebSocket's credential still stands. A revocation through this hub's API closes its sockets at once; one this instance does not hear of (another instance on the same PostgreSQL, an expired session) closes them within this plus the identity cache's 5 s.",
      ),
  })
  .strict()
  .superRefine(checkOidcRequired)
  .superRefine((a, ctx) => {
    // LDAP's keys only have to fit together when it is the authenticator: the hub stops at start-up naming the key.
    if (a.authenticator === 'ldap') for (const [key, message] of ldapConfigProblems(a.ldap)) ctx.addIssue({ code: 'custom', path: ['ldap', key], message });
  });
