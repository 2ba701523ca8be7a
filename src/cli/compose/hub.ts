import { resolveRoles } from '../../core/roles.js';
import { CachedIdentityResolver } from '../../accounts/identity-resolver.js';
import type { ApiContext } from '../../api/context.js';
import type { ProcessRunner } from '../../core/services.js';
import type { ClusterSpawner } from '../../core/clusters.js';
import type { LogFeed, LogFeedView, LogFiles } from '../../core/logs.js';
import type { AppLauncher } from '../../core/apps.js';
import type { Spawner } from '../../core/spawner.js';
import { Heartbeat } from '../../hub/heartbeat.js';
import type { HubParts, Service } from '../../hub/hub.js';
import { instanceId } from '../../hub/instance-id.js';
import { createLifecycle } from '../../lifecycle/lifecycle.js';
import { createClusterProxy } from '../../proxy/clusters.js';
import { OpenSockets } from '../../proxy/open-sockets.js';
import { createProxy } from '../../proxy/proxy.js';
import { createServiceProxy } from '../../proxy/services.js';
import { createServices } from '../../services/services.js';
import { createApps } from './apps.js';
import { createAuthenticator, createOidcLogin } from './auth.js';
import { createClusters } from './clusters.js';
import { createNotebookSparkEnvironment, createSparkCellCost } from './notebook-spark.js';
import { createCuller } from './culler.js';
import { createExecutionRecorder } from './executions.js';
import { createMonitoring } from './monitoring.js';
import { createShipping } from './shipping.js';
import { createSparkJobs } from './spark-jobs.js';
import { sparkHomeOf } from '../implementations.js';
import { StoredAuditTrail } from '../../audit/trail.js';

/** What the CLI has chosen before the hub is assembled: the API's plain values, the store, the spawner, the runtime client. */
export type HubChoices = Pick<ApiContext, 'config' | 'store' | 'clock' | 'ids' | 'log' | 'profiles' | 'webDir' | 'hubId' | 'version' | 'runtimeApi' | 'logs' | 'serviceLogs' | 'clusterLogs'> & {
  spawner: Spawner & AppLauncher;
  processRunner: ProcessRunner;
  /** Runs Spark clusters' processes. */
  clusterSpawner: ClusterSpawner;
  /** The Python of a profile's kernels (the executors of its notebooks run the same one). */
  kernelPython: (profile: string) => string;
  /** Follows the log files and publishes their lines (and the hub's own) to subscribers. */
  logFeed: LogFeed & LogFeedView & Service;
  /** Where each start of a managed service writes its output. */
  logFiles: Pick<LogFiles, 'serviceStart'>;
};

/**
 * The one place that assembles the hub (DESIGN.md: only src/cli chooses): every part is built here and handed
 * to the others as the interface they use. Nothing starts here; startHub (hub/hub.ts) starts them in order.
 */
export const composeHub = (d: HubChoices): HubParts => {
  const auditTrail = new StoredAuditTrail({ repo: d.store.audit, clock: d.clock, log: d.log, retentionDays: d.config.monitoring.retention.audit_days });
  const services = createServices({
    services: d.config.services,
    dataDir: d.config.data_dir,
    logFiles: d.logFiles,
    runner: d.processRunner,
    ids: d.ids,
    clock: d.clock,
    log: d.log,
    graceMs: d.config.lifecycle.stop_grace_seconds * 1000,
  });
  const roles = resolveRoles(d.config.auth.roles);
  const identity = new CachedIdentityResolver(d.store, d.clock, undefined, services.credentials, roles);
  const instance = instanceId(d.config, d.ids);
  const leaseMs = d.config.monitoring.lease_seconds * 1000;
  const heartbeat = new Heartbeat({ instances: d.store.instances, clock: d.clock, log: d.log, instance, leaseMs });
  const clusters = createClusters({ config: d.config, store: d.store, spawner: d.clusterSpawner, clock: d.clock, log: d.log, auditTrail });
  const lifecycle = createLifecycle({
    store: d.store,
    spawner: d.spawner,
    clock: d.clock,
    log: d.log,
    auditTrail,
    profiles: new Set(d.profiles.map((p) => p.name)),
    defaultProfile: d.config.spawner.default_profile,
    pollSeconds: d.config.lifecycle.poll_seconds,
    activityFlushMs: Math.min(10_000, d.config.monitoring.interval_seconds * 1000),
    instance,
    logs: d.logs,
    // Where other instances may share the store (PostgreSQL); their liveness: the heartbeats.
    shared: d.store.capabilities.sharedByInstances ? { leaseMs } : undefined,
    // A runtime started with user_options.spark_cluster gets the cluster's settings and the kernel extension.
    environment: createNotebookSparkEnvironment({ config: d.config, clusters, sparkHome: sparkHomeOf(d.config), pythonOf: d.kernelPython }),
  });
  const apps = createApps({ config: d.config, spawner: d.spawner, runtimes: lifecycle.servers, clock: d.clock, log: d.log });
  const monitoring = createMonitoring({ config: d.config, store: d.store, clock: d.clock, ids: d.ids, log: d.log, hubId: d.hubId, instance, runtimes: lifecycle.servers, runtimeApi: d.runtimeApi });
  const executions = createExecutionRecorder({
    config: d.config,
    store: d.store,
    runtimes: lifecycle.servers,
    processes: monitoring.processes,
    runtimeApi: d.runtimeApi,
    clock: d.clock,
    ids: d.ids,
    log: d.log,
    spark: createSparkCellCost({ clusters, servers: lifecycle.servers, log: d.log }),
  });
  // The owner culls: this instance judges only the servers it owns (activity seen elsewhere reaches it through the store).
  const culler = createCuller({
    config: d.config,
    lifecycle: lifecycle.owned,
    usage: monitoring.monitor,
    agents: d.store.agents,
    runningKernels: executions ? (u, s) => executions.runningKernels(u, s) : undefined,
    runtimeApi: d.runtimeApi,
    clock: d.clock,
    log: d.log,
  });
  // With recording off, no tap: the proxy then decodes kernel messages only as far as activity needs.
  const recorder = executions ?? undefined;
  // Every WebSocket the proxies open, closed when the API revokes its credential (and rechecked, which bounds a
  // revocation by another instance to the identity cache's TTL plus auth.websocket_recheck_seconds).
  const sockets = new OpenSockets({ identity, log: d.log, recheckMs: d.config.auth.websocket_recheck_seconds * 1000 });
  const proxy = createProxy({ routes: lifecycle.servers, identity, activity: lifecycle.servers, ports: lifecycle.servers, apps, kernelTap: recorder, kernelControl: recorder, sockets, clock: d.clock, log: d.log });
  const serviceProxy = createServiceProxy({ services: services.directory, identity, sockets, log: d.log });
  const clusterProxy = createClusterProxy({ clusters, identity, sockets, log: d.log });
  const shipping = createShipping({ config: d.config, feed: d.logFeed, clock: d.clock, log: d.log, instance });
  const sparkJobs = createSparkJobs({ config: d.config, clusters, repo: d.store.sparkJobs, runner: d.processRunner, sparkHome: sparkHomeOf(d.config), clock: d.clock, ids: d.ids, log: d.log, auditTrail });
  const { spawner: _chosen, processRunner: _runner, clusterSpawner: _clusterSpawner, kernelPython: _kernelPython, logFeed, logFiles: _files, ...values } = d;
  return {
    api: {
      ...values,
      servers: lifecycle.servers,
      requests: lifecycle.requests,
      identity,
      roles,
      revocations: sockets,
      authenticator: createAuthenticator(d),
      oidc: createOidcLogin({ ...d, identity, auditTrail }),
      usage: monitoring.monitor,
      processes: monitoring.processes,
      culling: culler,
      executions,
      kernelControl: recorder,
      services: services.directory,
      apps,
      logShipping: shipping.view,
      logFeed,
      clusters,
      sparkJobs: sparkJobs.jobs,
      auditTrail,
    },
    auditTrail,
    proxy,
    serviceProxy,
    clusterProxy,
    services,
    heartbeat,
    reconciler: lifecycle.reconciler,
    apps: { start: () => apps.open(), stop: () => apps.close() },
    clusters: { start: () => clusters.open(), stop: () => clusters.close() },
    executions: executions && { start: () => executions.start(), stop: () => executions.close() },
    culler,
    logFeed,
    shipping: shipping.service,
    sparkJobs: sparkJobs.service,
    monitoring: { start: () => monitoring.start(), stop: () => monitoring.close() },
    drainTokenActivity: () => identity.drainTokenActivity(),
  };
};
