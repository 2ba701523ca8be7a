import { AppSupervisor } from '../../apps/supervisor.js';
import type { Config } from '../../config/schema.js';
import type { AppLauncher, AppRuntimes } from '../../core/apps.js';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Spawner } from '../../core/spawner.js';

/** The named apps (issue 18): the spawner launches them, the lifecycle's directory says which runtimes run. */
export const createApps = (o: { config: Readonly<Config>; spawner: Spawner & AppLauncher; runtimes: AppRuntimes; clock: Clock; log: Logger }): AppSupervisor =>
  new AppSupervisor({
    runtimes: o.runtimes,
    launcher: o.spawner,
    processes: o.spawner,
    catalog: new Map(Object.entries(o.config.profiles).map(([name, p]) => [name, p.apps])),
    clock: o.clock,
    log: o.log,
    pollMs: o.config.lifecycle.poll_seconds * 1000,
  });
