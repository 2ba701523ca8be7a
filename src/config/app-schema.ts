import { z } from 'zod';

/**
 * A named app of a profile (issue 18): a web app the hub starts inside a runtime on first visit (or from the
 * console), reached at /user/{name}/{server}/apps/{app}/, restarted when it dies, stopped with the runtime.
 * The keys follow jupyter-server-proxy's server processes where they mean the same.
 */
export const APP_NAME_PATTERN = '^[a-z0-9][a-z0-9-]{0,63}$';

export const appSchema = z
  .object({
    command: z
      .array(z.string())
      .min(1, 'give the command line of the app')
      .describe('Command line of the app, run in the runtime\'s workspace with its environment. Placeholders: {port} (a free port the hub picks; the app must listen on 127.0.0.1 there) and {base_url} (the path the app is reached at, ending in /).'),
    environment: z
      .record(z.string(), z.string())
      .default({})
      .describe('Extra environment variables of the app (after the profile\'s own); values take the same placeholders as the command.'),
    readiness_path: z
      .string()
      .default('/')
      .refine((v) => v.startsWith('/') && !v.startsWith('//'), 'must start with a single /')
      .describe("Path under the app's URL that answers 2xx or 3xx once it is ready (with strip_prefix false it is under {base_url})."),
    timeout_seconds: z.number().min(1).max(3600).default(30).describe('An app not ready within this time is stopped and reported failed, with the end of its output.'),
    strip_prefix: z
      .boolean()
      .default(true)
      .describe('true: the app sees paths without the hub\'s prefix (/); false: it sees /user/{name}/{server}/apps/{app}/… and must serve under {base_url}.'),
    title: z.string().default('').describe('Name shown in the console (empty: the app\'s name).'),
    icon: z
      .string()
      .default('')
      .refine((v) => v === '' || /^(https?:\/\/|\/)/.test(v), 'must be empty, an http(s):// URL or a path starting with /')
      .describe('URL of an icon shown in the console (empty: none).'),
  })
  .strict();

const appName = new RegExp(APP_NAME_PATTERN);

export const appsSchema = z
  .record(z.string(), appSchema)
  // Checked here rather than on the record's key type, whose message zod replaces with its own.
  .superRefine((apps, ctx) => {
    for (const name of Object.keys(apps)) {
      if (!appName.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'app names: lower-case letters, digits and - (at most 64)' });
    }
  })
  .default({})
  .describe('Named apps of this profile, by name: started inside the runtime on first visit of /user/{name}/{server}/apps/{app}/ or from the console.');

export type AppConfig = z.infer<typeof appSchema>;
