import type { AppDirectory, AppIntent, RuntimePorts } from '../core/apps.js';
import { HTTP_STATUS, HubError } from '../core/errors.js';
import { describeServer } from '../core/names.js';
import { appPath, type AppRoute } from './app-paths.js';

/** Where an app route goes: the app's origin, the path it is asked for, the prefix the browser sees it under. */
export interface AppTarget {
  origin: string;
  path: string;
  prefix: string;
}

export type AppRefusal = { status: number; message: string };

/**
 * Resolves an app route of a running server to its upstream: a port only when the runtime's own processes
 * listen there (RuntimePorts), a named app once the AppDirectory has it running (`intent`: whether the request
 * may start it, app-intent.ts). Never another host.
 */
export const appTarget = async (
  route: Exclude<AppRoute, { kind: 'bad' }>,
  user: string,
  server: string,
  o: { ports?: RuntimePorts | undefined; apps?: AppDirectory | undefined },
  intent: AppIntent,
): Promise<AppTarget | AppRefusal> => {
  if (route.kind === 'port') {
    if (!o.ports) return { status: 404, message: 'Ports of runtimes are not reachable through this hub' };
    const origin = await o.ports.portTarget(user, server, route.port);
    if (origin === null) return { status: 404, message: `Nothing in ${describeServer(user, server)} listens on port ${route.port}` };
    return { origin, path: route.forward, prefix: route.prefix };
  }
  if (!o.apps) return { status: 404, message: 'Named apps are not available on this hub' };
  try {
    const up = await o.apps.ensure(user, server, route.app, { intent });
    return { origin: up.target, path: appPath(route.prefix, route.rest, up.stripPrefix), prefix: route.prefix };
  } catch (err) {
    if (err instanceof HubError) return { status: HTTP_STATUS[err.code], message: err.message };
    throw err;
  }
};
