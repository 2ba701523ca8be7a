import { z } from 'zod';

/** Local login limits (issue 16). */
export const localLoginSchema = z.object({}).strict();
