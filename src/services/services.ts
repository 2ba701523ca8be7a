import { join } from 'node:path';
import type { ServiceConfig } from '../config/services-schema.js';
import type { Clock } from '../core/clock.js';
import type { IdGenerator } from '../core/ids.js';
import type { Logger } from '../core/logger.js';
import type { LogFiles } from '../core/logs.js';
import type { ProcessRunner, ServiceCredential, ServiceDirectory, ServiceView } from '../core/services.js';
import type { BackoffPolicy } from '../core/restart-backoff.js';
import { ManagedService } from './managed.js';

export interface ServicesOptions {
  services: readonly ServiceConfig[];
  dataDir: string;
  /** Where each start of a managed service writes its output (the log layout). */
  logFiles: Pick<LogFiles, 'serviceStart'>;
  runner: ProcessRunner;
  ids: IdGenerator;
  clock: Clock;
  log: Logger;
  graceMs: number;
  backoff?: BackoffPolicy;
}

export interface Services {
  directory: ServiceDirectory;
  /** Every service's token (managed services without one get a new one here), for the identity resolver. */
  credentials: ServiceCredential[];
  /** Starts the managed services; `hubUrl` is where they reach the hub's API. */
  start(hubUrl: string): Promise<void>;
  stop(): Promise<void>;
}

export const servicePrefix = (name: string): string => `/services/${name}/`;

/** The hub's address as a local process reaches it: a hub listening on every interface is reached on loopback. */
export const localHubUrl = (hubUrl: string): string => {
  const u = new URL(hubUrl);
  if (u.hostname === '0.0.0.0') u.hostname = '127.0.0.1';
  else if (u.hostname === '[::]') u.hostname = '[::1]';
  return u.origin;
};

/** The environment JupyterHub gives a managed service (its docs' list), after the configured `environment`. */
export const serviceEnvironment = (s: ServiceConfig, o: { token: string; url: string; hubUrl: string }): Record<string, string> => ({
  PYTHONUNBUFFERED: '1',
  ...s.environment,
  JUPYTERHUB_SERVICE_NAME: s.name,
  JUPYTERHUB_API_TOKEN: o.token,
  JUPYTERHUB_API_URL: `${localHubUrl(o.hubUrl)}/hub/api`,
  JUPYTERHUB_BASE_URL: '/',
  JUPYTERHUB_SERVICE_PREFIX: servicePrefix(s.name),
  JUPYTERHUB_SERVICE_URL: o.url,
});

/**
 * The configured services: what the API and the proxy read (a directory), their tokens, and the processes of
 * the managed ones. A managed service listens where the hub tells it (a free loopback port, chosen at start).
 */
export const createServices = (o: ServicesOptions): Services => {
  const tokens = new Map<string, string>();
  for (const s of o.services) {
    const token = s.api_token ?? (s.command ? o.ids.random(32) : undefined);
    if (token !== undefined) tokens.set(s.name, token);
  }
  const urls = new Map<string, string>(o.services.filter((s) => s.url !== undefined).map((s) => [s.name, s.url as string]));
  const managed = new Map<string, ManagedService>();

  const view = (s: ServiceConfig): ServiceView => ({
    name: s.name,
    admin: s.admin,
    url: urls.get(s.name) ?? '',
    command: s.command ?? [],
    info: s.info,
    display: s.display,
    pid: managed.get(s.name)?.pid ?? null,
  });
  const byName = new Map(o.services.map((s) => [s.name, s]));

  return {
    directory: {
      list: () => o.services.map(view),
      get: (name) => {
        const s = byName.get(name);
        return s && view(s);
      },
    },
    credentials: o.services.flatMap((s) => {
      const token = tokens.get(s.name);
      return token === undefined ? [] : [{ name: s.name, admin: s.admin, token }];
    }),
    start: async (hubUrl) => {
      for (const s of o.services) {
        if (!s.command) continue;
        const url = s.url ?? `http://127.0.0.1:${await o.runner.freePort()}`;
        urls.set(s.name, url);
        const dir = join(o.dataDir, 'services', s.name);
        const m = new ManagedService({
          name: s.name,
          command: s.command,
          env: serviceEnvironment(s, { token: tokens.get(s.name) as string, url, hubUrl }),
          logFile: () => o.logFiles.serviceStart(s.name),
          pidFile: join(dir, 'process.json'),
          runner: o.runner,
          clock: o.clock,
          log: o.log,
          graceMs: o.graceMs,
          ...(o.backoff ? { backoff: o.backoff } : {}),
        });
        managed.set(s.name, m);
        await m.start();
      }
    },
    stop: async () => {
      await Promise.all([...managed.values()].map((m) => m.stop().catch((err: unknown) => o.log.error({ err }, 'cannot stop a service'))));
    },
  };
};
