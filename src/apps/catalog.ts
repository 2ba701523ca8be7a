import type { AppConfig } from '../config/app-schema.js';
import type { AppStatus } from '../core/apps.js';
import { notFound } from '../core/errors.js';
import { describeServer } from '../core/names.js';
import { serverPath } from '../core/urls.js';

/** The named apps of each profile, as configured (profiles.<p>.apps). */
export type AppCatalog = ReadonlyMap<string, Readonly<Record<string, AppConfig>>>;

/** The app's configuration in the runtime's profile; NOT_FOUND naming the app and the ones that exist. */
export const appConfigOf = (catalog: AppCatalog, profile: string, user: string, server: string, app: string): AppConfig => {
  const apps = catalog.get(profile) ?? {};
  const config = Object.hasOwn(apps, app) ? apps[app] : undefined;
  if (config) return config;
  const known = Object.keys(apps);
  throw notFound(`No app named '${app}' in ${describeServer(user, server)} (profile ${profile}); ${known.length > 0 ? `its apps: ${known.join(', ')}` : 'its profile declares no apps'}`);
};

/** Where the app is reached through the hub: /user/{name}/{server}/apps/{app}/ */
export const appPath = (user: string, server: string, app: string): string => `${serverPath(user, server)}apps/${encodeURIComponent(app)}/`;

/** What background traffic to an app stopped on purpose is told (the proxy answers it with a 503). */
export const stoppedOnPurposeMessage = (user: string, server: string, app: string): string => {
  const api = `/hub/api/users/${encodeURIComponent(user)}/${server === '' ? 'server' : `servers/${encodeURIComponent(server)}`}/apps/${encodeURIComponent(app)}`;
  return `The app ${app} of ${describeServer(user, server)} was stopped on purpose; its open pages do not start it again. To start it, open ${appPath(user, server, app)} in the browser, press Start in the console, or POST ${api}.`;
};

/** What the console shows beside an app stopped on purpose. */
export const STOPPED_ON_PURPOSE_NOTE = 'Stopped. Pages of it left open do not start it again; opening it or Start does.';

/** An app's status with nothing known of it yet. */
export const idleStatus = (user: string, server: string, name: string, config: AppConfig): AppStatus => ({
  name,
  title: config.title || name,
  icon: config.icon,
  state: 'stopped',
  url: appPath(user, server, name),
  message: null,
  restarts: 0,
});
