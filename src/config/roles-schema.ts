import { z } from 'zod';
import { unknownScopes } from '../core/scopes.js';

/** One role as JupyterHub's load_roles: scopes, and who holds it (users, groups, services). */
export const roleSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,254}$/, 'role names: lower-case letters, digits, _ and -, starting with a letter')
      .describe('The role. Naming a built-in one (user, admin, token, auditor) gives it to the listed holders; its scopes stay the built-in ones.'),
    description: z.string().default('').describe('What the role is for (shown by GET /hub/api/roles).'),
    scopes: z
      .array(z.string())
      .optional()
      .describe("JupyterHub scopes the role grants, with filters (read:users!group=x); 'self' is the holder's own resources."),
    users: z.array(z.string()).default([]).describe('Users holding the role.'),
    groups: z.array(z.string()).default([]).describe("Groups whose members hold the role."),
    services: z.array(z.string()).default([]).describe('Services (config services) whose api_token holds the role.'),
  })
  .strict()
  .superRefine((r, ctx) => {
    const unknown = unknownScopes(r.scopes ?? []);
    if (unknown.length) ctx.addIssue({ code: 'custom', path: ['scopes'], message: `unknown scopes in role ${r.name}: ${unknown.join(', ')}` });
  });

/** Roles made of scopes, as JupyterHub's load_roles (issue 16). */
export const rolesSchema = z
  .array(roleSchema)
  .default([])
  .superRefine((roles, ctx) => {
    const seen = new Set<string>();
    for (const [i, r] of roles.entries()) {
      if (seen.has(r.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `role ${r.name} is defined twice` });
      seen.add(r.name);
    }
  })
  .describe('Roles beyond the built-in user, admin, token and auditor (JupyterHub load_roles: name, description, scopes, users, groups, services).');

export type RoleConfig = z.infer<typeof roleSchema>;
