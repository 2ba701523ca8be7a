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
