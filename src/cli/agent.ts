import { pino } from 'pino';
import { openAgent } from './compose/agent.js';
import { HubClient } from '../agent/hub-client.js';
import { createAgentServer, listen } from '../agent/http-server.js';
import { saveIdentity } from '../agent/identity.js';
import { loadAgentConfig } from '../config/load-agent.js';
import { systemClock } from '../core/clock.js';
import { cryptoIds } from '../core/ids.js';
import { loadKube } from '../kube/config.js';
import { nodeRuntimePods } from '../kube/runtime-pods.js';
import { HttpRuntimeClient } from '../runtime-api/client.js';
import { closeOnSignals } from './signals.js';

export interface AgentFlags {
  hub?: string;
  port?: string;
  dataDir?: string;
}

const REREGISTER_MS = 60_000;
const MAX_RETRY_MS = 30_000;

/**
 * `nbhub agent --hub URL [--port N] [--data-dir DIR]`: samples the runtimes of its hub on this machine into
 * its log, serves the log to the hub, and registers with the hub (again every minute, and until it works:
 * sampling goes on while the hub is down, once the agent knows its hub).
 */
export const agentCommand = async (flags: AgentFlags, env: NodeJS.ProcessEnv): Promise<void> => {
  const overrides: Record<string, unknown> = {};
  if (flags.hub !== undefined) overrides['hub'] = flags.hub;
  if (flags.port !== undefined) overrides['port'] = /^\d+$/.test(flags.port) ? Number(flags.port) : flags.port;
  if (flags.dataDir !== undefined) overrides['data_dir'] = flags.dataDir;
  const config = loadAgentConfig({ env, overrides });
  const log = pino({ level: config.log_level, base: { app: 'nbhub-agent' } });
  const hub = new HubClient(config.hub, config.token);
  let agentId = '';
  const k = config.kubernetes;
  const target = k.node ? loadKube(k, { env }) : null;
  const node = target ? { pods: nodeRuntimePods(target.kubeConfig, { node: k.node, namespace: target.namespace, log }), cgroupRoot: k.cgroup_root } : undefined;
  if (node) log.info({ node: k.node }, 'agent: node mode, following the runtime pods on this node');
  const opened = openAgent({
    dir: config.data_dir,
    maxLogBytes: config.max_log_bytes,
    pss: config.pss,
    clock: systemClock,
    logger: log,
    ids: cryptoIds,
    seeds: { lastCounters: (runtimes) => hub.seeds(agentId).lastCounters(runtimes) },
    runtimeApi: new HttpRuntimeClient(),
    // Through the hub's proxy (which adds the runtime's credential), as the admin whose token the agent holds.
    viaHub: (r) => ({ target: config.hub, baseUrl: `/user/${encodeURIComponent(r.user)}/${r.server === '' ? '' : `${encodeURIComponent(r.server)}/`}`, token: config.token }),
    ...(node ? { node } : {}),
    settings: (identity) => ({ hubId: identity.hubId, intervalSeconds: config.interval_seconds || identity.intervalSeconds || 10, match: config.match || null }),
  });
  const { identity, agent } = opened;
  agentId = identity.id;
  const server = createAgentServer({ agent, secret: () => identity.secret, log });
  const port = await listen(server, config.ip, config.port);
  const url = config.url || `http://${config.ip.includes(':') ? `[${config.ip}]` : config.ip}:${port}`;
  log.info({ id: identity.id, url, hub: config.hub, data_dir: config.data_dir }, `nbhub agent ${identity.id} serving on ${url}`);

  let timer: NodeJS.Timeout | undefined;
  let failures = 0;
  const register = async () => {
    try {
      const r = await hub.register({ id: identity.id, url, secret: identity.secret });
      if (r.hubId !== identity.hubId || r.intervalSeconds !== identity.intervalSeconds) {
        identity.hubId = r.hubId;
        identity.intervalSeconds = r.intervalSeconds;
        saveIdentity(config.data_dir, identity);
      }
      if (failures > 0) log.info({ hub: config.hub }, 'agent: registered with the hub');
      failures = 0;
      timer = setTimeout(() => void register(), REREGISTER_MS);
    } catch (err) {
      failures++;
      log.warn({ err: (err as Error).message, hub: config.hub }, 'agent: cannot register with the hub yet; sampling goes on, trying again');
      timer = setTimeout(() => void register(), Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.min(failures, 5)));
    }
  };
  await register();
  agent.start();

  closeOnSignals(log, 'agent stopping', async () => {
    clearTimeout(timer);
    server.close();
    server.closeAllConnections();
    await opened.close();
  });
};
