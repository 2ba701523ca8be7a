import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CachedIdentityResolver } from '../accounts/identity-resolver.js';
import { buildApp } from '../api/app.js';
import type { ApiContext } from '../api/context.js';
import type { Spawner } from '../core/spawner.js';
import { Lifecycle } from '../lifecycle/lifecycle.js';
import { createProxy } from '../proxy/proxy.js';
import { createCuller } from '../culler/wiring.js';
import { createExecutionRecorder } from '../executions/create.js';
import { Heartbeat } from './heartbeat.js';
import { instanceId } from './instance-id.js';
import { createMonitoring } from './monitoring.js';

/** What the CLI hands over: the API's context minus what the hub builds itself, plus the spawner. */
export type HubDeps = Omit<ApiContext, 'lifecycle' | 'identity' | 'usage' | 'culling' | 'executions' | 'kernelControl' | 'monitor'> & { spawner: Spawner };

export interface Hub {
  server: Server;
  lifecycle: Lifecycle;
  url: string;
  /** Stops serving; stops the runtimes too when asked (lifecycle.stop_runtimes_on_shutdown). */
  close(options?: { stopRuntimes?: boolean }): Promise<void>;
}

const TOKEN_ACTIVITY_FLUSH_MS = 30_000;

/**
 * Wires the modules into one HTTP server: `/user/…` goes straight to the proxy (no framework on the hot
 * path), everything else to the API app. Implementations arrive chosen (cli/ picks them).
 */
export const startHub = async (d: HubDeps): Promise<Hub> => {
  const identity = new CachedIdentityResolver(d.store, d.clock);
  const instance = instanceId(d.config, d.ids);
  const leaseMs = d.config.monitoring.lease_seconds * 1000;
  // Before the records are loaded and the first lease round: both read the live instances, this one included.
  const heartbeat = new Heartbeat({ instances: d.store.instances, clock: d.clock, log: d.log, instance, leaseMs });
  await heartbeat.start();
  const lifecycle = new Lifecycle({
    store: d.store,
    spawner: d.spawner,
    clock: d.clock,
    log: d.log,
    profiles: new Set(d.profiles.map((p) => p.name)),
    defaultProfile: d.config.spawner.default_profile,
    pollSeconds: d.config.lifecycle.poll_seconds,
    activityFlushMs: Math.min(10_000, d.config.monitoring.interval_seconds * 1000),
    instance,
    // Where other instances may share the store (PostgreSQL); their liveness: the heartbeats.
    shared: d.store.capabilities.sharedByInstances ? { leaseMs } : undefined,
  });
  await lifecycle.init();
  const monitoring = createMonitoring({ config: d.config, store: d.store, clock: d.clock, ids: d.ids, log: d.log, hubId: d.hubId, instance, runtimes: lifecycle });
  const executions = createExecutionRecorder({ config: d.config, store: d.store, runtimes: lifecycle, clock: d.clock, ids: d.ids, log: d.log });
  await executions?.start();
  // The owner culls: this instance judges only the servers it owns (activity seen elsewhere reaches it through the store).
  const culler = createCuller({ config: d.config, lifecycle: lifecycle.ownView(), usage: monitoring.monitor, runningKernels: executions ? (u, s) => executions.runningKernels(u, s) : undefined, clock: d.clock, log: d.log });
  culler.start();
  // With recording off, no tap: the proxy then decodes kernel messages only as far as activity needs.
  const recorder = executions ?? undefined;
  const proxy = createProxy({ routes: lifecycle, identity, activity: lifecycle, kernelTap: recorder, kernelControl: recorder, clock: d.clock, log: d.log });

  let server!: Server;
  const app = await buildApp(
    { ...d, lifecycle, identity, usage: monitoring.monitor, culling: culler, executions, kernelControl: recorder, monitor: monitoring.monitor },
    (handler) => {
      server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
        if (!proxy.handleRequest(req, res)) handler(req, res);
      });
      server.on('upgrade', (req, socket, head) => {
        if (!proxy.handleUpgrade(req, socket, head)) socket.destroy();
      });
      return server;
    },
  );
  await app.listen({ host: d.config.ip, port: d.config.port });
  const addr = server.address() as AddressInfo;
  await monitoring.start();
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;

  const flushTokens = async () => {
    for (const [id, at] of identity.drainTokenActivity()) await d.store.tokens.touch(id, at).catch(() => undefined);
  };
  const tokenTimer = setInterval(() => void flushTokens(), TOKEN_ACTIVITY_FLUSH_MS).unref();
  const sessionTimer = setInterval(() => void d.store.sessions.deleteExpired(d.clock.now()).catch(() => undefined), 3_600_000).unref();

  return {
    server,
    lifecycle,
    url: `http://${host}:${addr.port}`,
    close: async (options = {}) => {
      clearInterval(tokenTimer);
      clearInterval(sessionTimer);
      server.closeIdleConnections();
      const closed = app.close();
      // Open WebSockets would hold close() forever; a stopping hub drops them (the runtimes keep the kernels).
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
      await closed;
      proxy.close();
      await culler.stop();
      await executions?.close();
      await monitoring.close();
      await lifecycle.shutdown({ stopRuntimes: options.stopRuntimes ?? d.config.lifecycle.stop_runtimes_on_shutdown });
      // Last: while the monitor and lifecycle still act, no other instance may think this one gone.
      await heartbeat.stop();
      await flushTokens();
      await d.store.close();
    },
  };
};
