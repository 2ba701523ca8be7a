import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../api/app.js';
import type { ApiContext } from '../api/context.js';
import type { Proxy } from '../proxy/proxy.js';

/** A part of the hub that runs in the background once started. */
export interface Service {
  start(): Promise<void> | void;
  stop(): Promise<void>;
}

/**
 * Everything the hub runs, built and chosen by src/cli (cli/compose/hub.ts). The hub only starts the parts
 * in order, serves them on one HTTP server, and stops them in the reverse order.
 */
export interface HubParts {
  /** What the API routes use (interfaces only). */
  api: ApiContext;
  proxy: Proxy;
  /** This instance's heartbeat (other instances sharing the store read it). */
  heartbeat: Service;
  /** The lifecycle's loop: `init` adopts what runs and starts the polls; `shutdown` ends them. */
  reconciler: { init(): Promise<void>; shutdown(o: { stopRuntimes: boolean }): Promise<void> };
  /** The named apps' supervision (restarts, polls). */
  apps: Service;
  /** Spark clusters: adopted at start, watched while the hub runs (they outlive it). */
  clusters: Service;
  /** Execution history (null with monitoring.executions off). */
  executions: Service | null;
  culler: Service;
  /** Follows the runtimes' log files (rotation, the feed the shippers read). */
  logFeed: Service;
  /** Sends the feed's lines to GELF and Loki targets (logs.ship); stopped last, flushing within a bound. */
  shipping: Service;
  /** Follows the unfinished Spark jobs of the clusters (their state, their end when a cluster goes). */
  sparkJobs: Service;
  /** The stored audit trail (issue 16): prunes while the hub runs; stopping writes what is queued. */
  auditTrail: Service;
  /** The in-process agent (if any) and the monitor pulling every agent. */
  monitoring: Service;
  /** `/services/{name}/…` (config `services`), HTTP and WebSocket, behind the hub's login. */
  serviceProxy: Pick<Proxy, 'handleRequest' | 'handleUpgrade' | 'close'>;
  /** `/clusters/{name}/…`: a Spark cluster's UIs (its master's, and through it its workers' and applications'), behind the hub's login. */
  clusterProxy: Pick<Proxy, 'handleRequest' | 'handleUpgrade' | 'close'>;
  /** The managed services' processes: started once the hub listens (they call its API), stopped first. */
  services: { start(hubUrl: string): Promise<void>; stop(): Promise<void> };
  /** Token use seen since the last call (written behind, not on every request). */
  drainTokenActivity(): Map<string, number>;
}

export interface Hub {
  server: Server;
  url: string;
  /** Stops serving; stops the runtimes too when asked (lifecycle.stop_runtimes_on_shutdown). */
  close(options?: { stopRuntimes?: boolean }): Promise<void>;
}

const TOKEN_ACTIVITY_FLUSH_MS = 30_000;

/**
 * Runs the parts on one HTTP server: `/user/…` goes straight to the proxy, `/services/…` to the service
 * proxy and `/clusters/…` to the cluster proxy (no framework on the hot path), everything else to the API app. Nothing is built here: the parts arrive chosen and assembled (cli/).
 */
export const startHub = async (p: HubParts): Promise<Hub> => {
  const { api } = p;
  // Before the records are loaded and the first lease round: both read the live instances, this one included.
  await p.heartbeat.start();
  await p.auditTrail.start();
  await p.reconciler.init();
  await p.apps.start();
  await p.clusters.start();
  await p.executions?.start();
  await p.culler.start();

  let server!: Server;
  const app = await buildApp(api, (handler) => {
    server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
      if (!p.proxy.handleRequest(req, res) && !p.serviceProxy.handleRequest(req, res) && !p.clusterProxy.handleRequest(req, res)) handler(req, res);
    });
    server.on('upgrade', (req, socket, head) => {
      if (!p.proxy.handleUpgrade(req, socket, head) && !p.serviceProxy.handleUpgrade(req, socket, head) && !p.clusterProxy.handleUpgrade(req, socket, head)) socket.destroy();
    });
    return server;
  });
  await app.listen({ host: api.config.ip, port: api.config.port });
  const addr = server.address() as AddressInfo;
  await p.monitoring.start();
  // Subscribed before the feed reads: no line is published before shipping listens.
  await p.shipping.start();
  await p.logFeed.start();
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  await p.services.start(`http://${host}:${addr.port}`);
  await p.sparkJobs.start();

  const flushTokens = async () => {
    for (const [id, at] of p.drainTokenActivity()) await api.store.tokens.touch(id, at).catch(() => undefined);
  };
  const tokenTimer = setInterval(() => void flushTokens(), TOKEN_ACTIVITY_FLUSH_MS).unref();
  const sessionTimer = setInterval(() => void api.store.sessions.deleteExpired(api.clock.now()).catch(() => undefined), 3_600_000).unref();

  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: async (options = {}) => {
      clearInterval(tokenTimer);
      clearInterval(sessionTimer);
      await p.services.stop();
      server.closeIdleConnections();
      const closed = app.close();
      // Open WebSockets would hold close() forever; a stopping hub drops them (the runtimes keep the kernels).
      setTimeout(() => server.closeAllConnections(), 2_000).unref();
      await closed;
      p.proxy.close();
      p.serviceProxy.close();
      p.clusterProxy.close();
      await p.culler.stop();
      await p.sparkJobs.stop();
      await p.executions?.stop();
      await p.monitoring.stop();
      await p.logFeed.stop();
      await p.apps.stop();
      await p.clusters.stop();
      await p.reconciler.shutdown({ stopRuntimes: options.stopRuntimes ?? api.config.lifecycle.stop_runtimes_on_shutdown });
      // Last: while the monitor and lifecycle still act, no other instance may think this one gone.
      await p.heartbeat.stop();
      // Last but the store: the hub's own lines about stopping go out too, within the shipping's bound.
      await p.shipping.stop();
      await flushTokens();
      await api.oidc?.close();
      await p.auditTrail.stop();
      await api.store.close();
    },
  };
};
