import { z } from 'zod';

/** OpenID Connect settings (issue 16). */
export const oidcSchema = z.object({}).strict();
