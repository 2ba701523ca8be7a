import { z } from 'zod';

/** Failed-login limits (issue 16) for every password authenticator (local accounts and LDAP). */
export const localLoginSchema = z
  .object({
    failures_before_delay: z
      .number()
      .int()
      .min(1)
      .default(5)
      .describe('Failed logins for one username from one address before that pair must wait (429 with Retry-After). Other addresses are not held back, so no one can lock a user out from elsewhere.'),
    delay_seconds: z.number().int().min(1).default(30).describe('The first wait after failures_before_delay failures; it doubles with each further failure.'),
    max_delay_seconds: z.number().int().min(1).default(900).describe('The longest wait for one username from one address.'),
    failures_per_address: z
      .number()
      .int()
      .min(1)
      .default(100)
      .describe('Failed logins from one address, whatever the usernames, within window_seconds before that address must wait for the window to pass.'),
    window_seconds: z
      .number()
      .int()
      .min(1)
      .default(900)
      .describe('Failures older than this are forgotten (the per-address count restarts, and a username-and-address pair quiet this long starts afresh).'),
    max_tracked: z
      .number()
      .int()
      .min(100)
      .default(100_000)
      .describe('Most usernames-and-addresses and addresses remembered at once; beyond that the oldest are forgotten, so memory stays bounded.'),
  })
  .strict();

export type LocalLoginConfig = z.infer<typeof localLoginSchema>;
