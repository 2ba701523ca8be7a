import { hostname } from 'node:os';
import type { Config } from '../config/schema.js';
import type { IdGenerator } from '../core/ids.js';

/**
 * This hub instance among those sharing one store: what agent leases and server records name as their
 * owner. Host and port by default, so a restarted instance takes its own back at once (port 0: a name of
 * its own). Not the hub's id (hub-id.ts), which every instance of one installation shares.
 */
export const instanceId = (config: Readonly<Config>, ids: IdGenerator): string =>
  config.monitoring.instance_id || `${hostname()}:${config.port || ids.random(6)}`;
