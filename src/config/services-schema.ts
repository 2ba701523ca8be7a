import { z } from 'zod';

/**
 * The `services` key (issue 18): JupyterHub's `c.JupyterHub.services`, with its names. A service is external
 * (a `url` the hub proxies to), managed (a `command` the hub keeps running), or token-only (neither: something
 * that only calls the API). Apart from schema.ts so the list's own checks live beside its keys.
 */
export const SERVICE_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
/** Shorter tokens could be guessed; the hub's own tokens are far longer, so a service's never equals a user's. */
export const MIN_SERVICE_TOKEN_LENGTH = 16;

const isHttpUrl = (v: string): boolean => {
  try {
    const u = new URL(v);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
};

const isLoopbackHttp = (v: string): boolean => {
  const u = new URL(v);
  return u.protocol === 'http:' && (/^127\./.test(u.hostname) || u.hostname === '[::1]' || u.hostname === 'localhost');
};

export const serviceSchema = z
  .object({
    name: z
      .string()
      .regex(new RegExp(SERVICE_NAME_PATTERN), 'service names: lower-case letters, digits, _ and -, starting with a letter or digit (at most 64)')
      .describe('The service, reached at /services/{name}/.'),
    url: z
      .string()
      .refine(isHttpUrl, 'must be an http:// or https:// URL without credentials')
      .optional()
      .describe('Where the hub reaches the service (the proxy passes /services/{name}/… on unchanged). With command (JupyterHub\'s managed web service), a loopback http:// URL the service must listen on; without it, a managed service listens on http://127.0.0.1:{a free port} (JUPYTERHUB_SERVICE_URL either way).'),
    command: z
      .array(z.string())
      .min(1)
      .optional()
      .describe('Command line of a managed service: the hub runs it (a process group of its own; the output of each start in data_dir/logs/_services/{name}/, kept, rotated and shipped like runtime output under logs.*, readable by admins at GET /hub/api/services/{name}/logs), restarts it when it dies and stops it with the hub (SIGTERM, then SIGKILL after lifecycle.stop_grace_seconds). Each hub instance runs its own copy (several instances on one PostgreSQL: several copies). It runs in the working directory of the hub and gets JUPYTERHUB_SERVICE_NAME, JUPYTERHUB_API_TOKEN, JUPYTERHUB_API_URL, JUPYTERHUB_BASE_URL, JUPYTERHUB_SERVICE_PREFIX and JUPYTERHUB_SERVICE_URL.'),
    environment: z.record(z.string(), z.string()).default({}).describe("Extra environment variables of a managed service (the JUPYTERHUB_* ones win; the hub's NBHUB_* settings are never passed)."),
    api_token: z
      .string()
      .min(MIN_SERVICE_TOKEN_LENGTH, `must be at least ${MIN_SERVICE_TOKEN_LENGTH} characters`)
      .optional()
      .describe(`Token the service authenticates to the API with (Authorization: token …), as this service. At least ${MIN_SERVICE_TOKEN_LENGTH} characters, unique. Unset: a managed service gets a new one at each hub start; other services then cannot call the API.`),
    admin: z.boolean().default(false).describe("The service's token may do what an admin may; otherwise only what any logged-in user may read."),
    display: z.boolean().default(true).describe('Whether the console lists it (JupyterHub: shown on the home page).'),
    info: z.record(z.string(), z.unknown()).default({}).describe('Anything a deployment attaches to the service; returned as is in the service model.'),
    oauth_no_confirm: z.boolean().default(false).describe("Accepted for JupyterHub configs and ignored: nbhub is no OAuth provider, so there is no confirmation page to skip."),
  })
  .strict()
  .superRefine((s, ctx) => {
    // JupyterHub runs a managed service and proxies to its url: here too, as long as the hub runs it beside itself.
    if (s.url !== undefined && s.command !== undefined && !isLoopbackHttp(s.url)) {
      ctx.addIssue({ code: 'custom', path: ['url'], message: `service ${s.name}: a managed service (command) listens beside the hub, so its url must be http:// on a loopback address (127.0.0.1, ::1, localhost), or left out for a free port` });
    }
  });

export const servicesSchema = z
  .array(serviceSchema)
  .max(1000)
  .superRefine((list, ctx) => {
    const names = new Map<string, number>();
    const tokens = new Map<string, number>();
    list.forEach((s, i) => {
      const first = names.get(s.name);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate service name ${s.name} (also services.${first}.name)` });
      else names.set(s.name, i);
      if (s.api_token === undefined) return;
      const same = tokens.get(s.api_token);
      // The token itself is never repeated in a message.
      if (same !== undefined) ctx.addIssue({ code: 'custom', path: [i, 'api_token'], message: `same token as services.${same}.api_token: each service needs its own` });
      else tokens.set(s.api_token, i);
    });
  });

export type ServiceConfig = z.infer<typeof serviceSchema>;
