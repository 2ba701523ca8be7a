import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { CLUSTER_NAME_PATTERN, parseClusterInput } from '../../clusters/input.js';
import { usableCluster, type ClusterRecord } from '../../core/clusters.js';
import { forbidden, notFound } from '../../core/errors.js';
import { requireScope, requireUser } from '../auth.js';
import { allows } from '../../core/scopes.js';
import { ClusterCreate, clusterModel, ClusterModel } from '../cluster-models.js';
import type { ApiContext } from '../context.js';
import { ErrorReply } from '../schemas.js';

const Params = Type.Object({ name: Type.String({ pattern: CLUSTER_NAME_PATTERN, description: 'Cluster name' }) });
const errors = { 400: ErrorReply, 403: ErrorReply, 404: ErrorReply, 409: ErrorReply };

/**
 * Spark clusters (issue 19; DESIGN.md's routes). Admins create and delete them; their owner and admins start and
 * stop them; everyone allowed on one (owner, users, admins) sees it. Others are refused with 403 rather than
 * told nothing, as the proxy at /clusters/{name}/ refuses them. Their processes' output: routes/logs.ts.
 */
export const clusterRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const clusters = ctx.clusters;
    const visible = (req: FastifyRequest, name: string): ClusterRecord => {
      const who = requireUser(req);
      // read:clusters (the auditor's) sees every cluster without being able to use it.
      const c = allows(who.scopes, 'read:clusters') ? clusters.get(name) : undefined;
      return c ?? usableCluster(clusters, who, name);
    };
    const ownerOrAdmin = (req: FastifyRequest, name: string): ClusterRecord => {
      const c = visible(req, name);
      const who = requireUser(req);
      if (!allows(who.scopes, 'admin:clusters') && (who.service !== undefined || who.user !== c.owner)) throw forbidden(`Only ${c.owner} (its owner) and admins may start or stop cluster ${name}`);
      return c;
    };

    app.get('/clusters', { schema: { summary: 'The clusters the caller may use (all of them for admins)', response: { 200: Type.Array(ClusterModel), 403: ErrorReply } } }, async (req) => {
      const who = requireUser(req);
      return clusters
        .list()
        .filter((c) => clusters.mayUse(who, c) || allows(who.scopes, 'read:clusters'))
        .map(clusterModel);
    });

    app.post(
      '/clusters',
      { schema: { summary: 'Create a Spark cluster, stopped (admins)', body: ClusterCreate, response: { 201: ClusterModel, ...errors } } },
      async (req, reply) => {
        const who = requireScope(req, 'admin:clusters');
        const s = ctx.config.spark;
        const input = parseClusterInput(req.body, { maxWorkers: s.max_workers, maxWorkerCores: s.max_worker_cores, maxWorkerMemoryMb: s.max_worker_memory_mb });
        return reply.code(201).send(clusterModel(await clusters.create(input, who)));
      },
    );

    app.get('/clusters/:name', { schema: { summary: 'One cluster', params: Params, response: { 200: ClusterModel, ...errors } } }, async (req) => clusterModel(visible(req, req.params.name)));

    app.delete(
      '/clusters/:name',
      { config: { optionalBody: true }, schema: { summary: 'Stop a cluster and delete it with its files (admins); its jobs stay in the history', params: Params, response: { 204: Type.Null({ description: 'Deleted' }), ...errors } } },
      async (req, reply) => {
        const who = requireScope(req, 'admin:clusters');
        if (!clusters.get(req.params.name)) throw notFound(`No such cluster: ${req.params.name}`);
        await clusters.remove(req.params.name, who);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/clusters/:name/start',
      {
        config: { optionalBody: true },
        schema: {
          summary: 'Start a cluster (its owner and admins)',
          description: '202: starting (poll GET until state is running or failed); 200: it was running already.',
          params: Params,
          response: { 200: ClusterModel, 202: ClusterModel, ...errors },
        },
      },
      async (req, reply) => {
        ownerOrAdmin(req, req.params.name);
        const c = await clusters.start(req.params.name, requireUser(req));
        return reply.code(c.state === 'running' ? 200 : 202).send(clusterModel(c));
      },
    );

    app.post(
      '/clusters/:name/stop',
      { config: { optionalBody: true }, schema: { summary: 'Stop every process of a cluster (its owner and admins); answers once they are gone', params: Params, response: { 200: ClusterModel, ...errors } } },
      async (req) => {
        ownerOrAdmin(req, req.params.name);
        return clusterModel(await clusters.stop(req.params.name, requireUser(req)));
      },
    );

  };
