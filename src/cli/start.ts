import { existsSync } from 'node:fs';
import { basename, isAbsolute, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { ConfigError, loadConfig } from '../config/load.js';
import { systemClock } from '../core/clock.js';
import { cryptoIds } from '../core/ids.js';
import { startHub } from '../hub/hub.js';
import { composeHub } from './compose/hub.js';
import { hubIdentity } from '../hub/hub-id.js';
import { HttpRuntimeClient } from '../runtime-api/client.js';
import { LocalProcessRunner } from '../spawners/local/process-runner.js';
import { checkServiceTokens } from '../services/tokens.js';
import { createClusterSpawner, createLogs, createSpawner, kernelPythonOf, openStore, profileChoices, resolveProfiles } from './implementations.js';
import { TeeDestination } from '../logs/tee.js';
import { closeOnSignals } from './signals.js';
import { firstAdminHint } from './first-admin.js';
import { VERSION } from './version.js';

export interface StartFlags {
  config?: string;
  port?: string;
  dataDir?: string;
}

/** How the operator ran this command: `nbhub` when installed on PATH, else the script's path. */
const commandName = (): string => {
  const script = process.argv[1] ?? 'nbhub';
  if (basename(script) === 'nbhub') return 'nbhub';
  const rel = relative(process.cwd(), script);
  return rel.startsWith('..') || isAbsolute(rel) ? script : rel.startsWith('.') ? rel : `./${rel}`;
};

export const startCommand = async (flags: StartFlags, env: NodeJS.ProcessEnv): Promise<void> => {
  const overrides: Record<string, unknown> = {};
  if (flags.port !== undefined) overrides['port'] = /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port;
  if (flags.dataDir !== undefined) overrides['data_dir'] = flags.dataDir;
  const config = loadConfig({ file: flags.config ?? env['NBHUB_CONFIG'], env, overrides });
  // Every record goes to stdout as before, and to the log feed (stream 'hub') once it exists.
  const destination = new TeeDestination(pino.destination(1));
  const log = pino({ level: config.log_level, base: { app: 'nbhub' } }, destination);
  const logs = createLogs(config, log);
  destination.sink = (chunk) => logs.feed.offerHub(chunk);
  const profiles = resolveProfiles(config);
  if (config.spawner.kind === 'local') for (const p of profiles.values()) if ('error' in p) log.warn({ profile: p.name }, p.error);
  const store = await openStore(config);
  const clash = await checkServiceTokens(store.tokens, config.services);
  if (clash) {
    await store.close();
    throw new ConfigError(`invalid configuration:\n  ${clash}`);
  }
  const hubId = await hubIdentity(store, cryptoIds, config.hub_id).catch(async (err: Error) => {
    await store.close();
    throw new ConfigError(`invalid configuration:\n  ${err.message}`);
  });
  const webDir = fileURLToPath(new URL('../../web/dist', import.meta.url));
  const runner = new LocalProcessRunner({ clock: systemClock, env: process.env });
  const hub = await startHub(
    composeHub({
      config,
      store,
      spawner: await createSpawner(config, profiles, hubId, logs.files, log),
      processRunner: runner,
      clusterSpawner: createClusterSpawner(config, hubId, runner, logs.files),
      kernelPython: kernelPythonOf(profiles),
      logs: logs.reader,
      serviceLogs: logs.serviceReader,
      clusterLogs: logs.clusterReader,
      logFiles: logs.files,
      logFeed: logs.feed,
      hubId,
      clock: systemClock,
      ids: cryptoIds,
      log,
      profiles: profileChoices(config, profiles),
      webDir: existsSync(webDir) ? webDir : null,
      runtimeApi: new HttpRuntimeClient(),
      version: VERSION,
    }),
  );
  const hint = firstAdminHint({ admins: await store.users.count({ admin: true }), command: commandName(), dataDir: flags.dataDir, url: hub.url });
  if (hint) process.stderr.write(hint);
  log.info({ url: hub.url, store: store.kind, data_dir: config.data_dir }, `nbhub ${VERSION} listening on ${hub.url}`);
  // A stray rejection is a bug to log, not a reason to drop every user's proxy connection.
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled rejection'));
  closeOnSignals(log, 'stopping', () => hub.close());
};
