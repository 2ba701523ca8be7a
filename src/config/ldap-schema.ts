import { z } from 'zod';
import { USER_NAME_PATTERN } from '../core/names.js';

const isRegExp = (v: string): boolean => {
  try {
    new RegExp(v);
    return true;
  } catch {
    return false;
  }
};

/** LDAP settings (issue 16): ldapauthenticator's keys, checked together by `ldapConfigProblems` when ldap is chosen. */
export const ldapSchema = z
  .object({
    url: z
      .string()
      .default('')
      .refine((v) => v === '' || /^ldaps?:\/\/[^/?#]+\/?$/.test(v), 'must be ldap://host[:port] or ldaps://host[:port]')
      .describe('The directory: ldap://host[:port] (with start_tls for TLS) or ldaps://host[:port]. Required when auth.authenticator is ldap.'),
    bind_dn_template: z
      .array(z.string().refine((v) => v.includes('{username}'), 'must contain {username}'))
      .default([])
      .describe('DNs to bind as, tried in order until one binds, {username} replaced by the escaped username (e.g. uid={username},ou=people,dc=example,dc=org). Used when lookup_dn is false.'),
    lookup_dn: z
      .boolean()
      .default(false)
      .describe('Search for the user (user_attribute = username under user_search_base, bound as search_bind_dn) and bind as the entry found, instead of bind_dn_template.'),
    user_search_base: z.string().default('').describe('Where lookup_dn searches for users (subtree), e.g. ou=people,dc=example,dc=org.'),
    user_attribute: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must be an attribute name')
      .default('uid')
      .describe('The attribute that holds the username (uid; sAMAccountName on Active Directory).'),
    search_bind_dn: z.string().default('').describe('The service account searches (users with lookup_dn, and groups) bind as; empty: anonymous.'),
    search_bind_password: z.string().default('').describe("The service account's password."),
    group_search_base: z
      .string()
      .default('')
      .describe("Where the user's groups are searched (subtree): groupOfNames (member), groupOfUniqueNames (uniqueMember) and posixGroup (memberUid). Their cn become the user's hub groups at each login; empty: groups are not read, and hub groups stay as managed in the hub. Required by allowed_groups and admin_groups."),
    nested_group_depth: z
      .number()
      .int()
      .min(0)
      .max(10)
      .default(3)
      .describe('How many levels of groups within groups are followed (a group that is a member of another); 0: direct membership only.'),
    allowed_groups: z.array(z.string()).default([]).describe('Group DNs whose members may log in (directly or through nested groups); empty: every user the directory accepts.'),
    admin_groups: z
      .array(z.string())
      .default([])
      .describe("Group DNs whose members are hub admins; checked at each login, so leaving the group removes admin at the next login. Empty: the hub's admin flag is left as set in the hub."),
    start_tls: z.boolean().default(false).describe('Upgrade an ldap:// connection with StartTLS before binding (the certificate is verified).'),
    tls_ca_file: z.string().default('').describe("PEM file of the CA that signed the directory's certificate (StartTLS and ldaps); empty: the system's CAs."),
    timeout_seconds: z.number().positive().max(120).default(10).describe('Limit on connecting and on each directory request during a login.'),
    username_pattern: z
      .string()
      .refine(isRegExp, 'must be a regular expression')
      .default(USER_NAME_PATTERN)
      .describe("Usernames that may be asked about (a regular expression, matched after the username is lower-cased: hub user names are lower case); others are refused before any directory request. Filter syntax (* ( ) \\), control characters and names over 64 characters are refused whatever it says. The default is the hub's user name rule."),
  })
  .strict();

export type LdapConfig = z.infer<typeof ldapSchema>;

/** Combinations that cannot work, as [key under auth.ldap, message]; checked only when ldap is the authenticator. */
export const ldapConfigProblems = (c: LdapConfig): [string, string][] => {
  const out: [string, string][] = [];
  if (c.url === '') out.push(['url', 'is required when auth.authenticator is ldap']);
  if (c.lookup_dn && c.user_search_base === '') out.push(['user_search_base', 'is required when lookup_dn is true']);
  if (!c.lookup_dn && c.bind_dn_template.length === 0) out.push(['bind_dn_template', 'needs at least one template when lookup_dn is false']);
  if (c.search_bind_password !== '' && c.search_bind_dn === '') out.push(['search_bind_dn', 'is required when search_bind_password is set']);
  if (c.group_search_base === '' && c.allowed_groups.length > 0) out.push(['group_search_base', 'is required by allowed_groups']);
  if (c.group_search_base === '' && c.admin_groups.length > 0) out.push(['group_search_base', 'is required by admin_groups']);
  if (c.start_tls && c.url.startsWith('ldaps://')) out.push(['start_tls', 'cannot be used with an ldaps:// url (already TLS)']);
  return out;
};
