import { z } from 'zod';

/** LDAP settings (issue 16; filled in by the LDAP authenticator). */
export const ldapSchema = z.object({}).strict();
