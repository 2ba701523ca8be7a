import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { JOB_STATES, type SparkJobRecord } from '../../core/clusters.js';
import { badRequest } from '../../core/errors.js';
import { isoOrNull } from '../../core/clock.js';
import { requireUser } from '../auth.js';
import type { ApiContext } from '../context.js';
import { ErrorReply } from '../schemas.js';

const ClusterName = Type.String({ minLength: 1, maxLength: 64, description: 'Cluster name' });
const JobId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Job id' });
const Digits = Type.String({ pattern: '^[0-9]{1,9}$' });

const JobBody = Type.Object(
  {
    resource: Type.String({
      description: 'The application in the object store, s3://bucket/key (it must exist): a jar, run in cluster deploy mode, or a .py file, run in client mode (its driver beside the hub)',
    }),
    main_class: Type.Optional(Type.String({ description: "Java class name of a jar's application; none for a Python file" })),
    args: Type.Optional(Type.Unknown({ description: 'Arguments: a list of strings (at most 256, 4 KB each, 64 KB in all)' })),
    conf: Type.Optional(
      Type.Unknown({
        description:
          'Spark properties, string to string (spark.*). The hub sets spark.master, spark.submit.deployMode, spark.jars, spark.ui.reverseProxy*, spark.master.rest.*, spark.driver.host and spark.driver.bindAddress itself and refuses them here',
      }),
    ),
  },
  { additionalProperties: false },
);

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const JobSchema = Type.Object({
  id: Type.String(),
  cluster: Type.String(),
  user: Type.String({ description: 'Who submitted it' }),
  resource: Type.String(),
  main_class: Type.String(),
  args: Type.Array(Type.String()),
  conf: Type.Record(Type.String(), Type.String()),
  submission_id: Nullable(Type.String({ description: "The master's driver id" })),
  app_id: Nullable(Type.String({ description: 'The application id, once its driver registered it' })),
  state: Type.String({ description: `Spark's driver state: ${JOB_STATES.join(', ')} (UNKNOWN: the master no longer knows it, or its cluster failed or was deleted)` }),
  message: Nullable(Type.String({ description: "Why it failed, was refused or ended, in Spark's words where it gave any" })),
  submitted: Type.String({ format: 'date-time' }),
  ended: Nullable(Type.String({ format: 'date-time' })),
  ui_url: Nullable(Type.String({ description: "The application's UI through the hub while it runs" })),
});
const JobPage = Type.Object({
  items: Type.Array(JobSchema),
  _pagination: Type.Object({
    offset: Type.Integer(),
    limit: Type.Integer(),
    total: Type.Integer(),
    next: Type.Union([Type.Object({ offset: Type.Integer(), limit: Type.Integer(), url: Type.String() }), Type.Null()]),
  }),
});

/** A job as the API shows it; `ui_url`: the driver's application UI through the hub while it runs. */
export const jobModel = (j: SparkJobRecord) => ({
  id: j.id,
  cluster: j.cluster,
  user: j.user,
  resource: j.resource,
  main_class: j.mainClass,
  args: j.args,
  conf: j.conf,
  submission_id: j.submissionId,
  app_id: j.appId,
  state: j.state,
  message: j.message,
  submitted: new Date(j.submitted).toISOString(),
  ended: isoOrNull(j.ended),
  ui_url: j.appId && j.state === 'RUNNING' ? `/clusters/${j.cluster}/proxy/${j.appId}/` : null,
});

const nextUrl = (req: FastifyRequest, offset: number, limit: number): string => {
  const url = new URL(req.url, 'http://x');
  url.searchParams.set('offset', String(offset));
  url.searchParams.set('limit', String(limit));
  return url.pathname + url.search;
};

/**
 * Spark jobs on a cluster (issue 19, DESIGN.md "Spark"): submitted from the object store, followed, killed, with
 * their driver's log and a history of who submitted what. The cluster's users; 404 for an unknown cluster, 403
 * for one not shared with the caller.
 */
export const sparkJobRoutes =
  (ctx: ApiContext): FastifyPluginAsyncTypebox =>
  async (app) => {
    const errors = {
      400: { ...ErrorReply, description: 'The body is wrong (the message names the field, key or index), or the resource does not exist in the object store' },
      403: { ...ErrorReply, description: 'The cluster is not shared with the caller (or a kill by someone other than the submitter, the owner or an admin)' },
      404: { ...ErrorReply, description: 'No such cluster, or no such job on it' },
    };
    app.post(
      '/clusters/:name/jobs',
      {
        schema: {
          summary: 'Submit a Spark job: a jar from the object store in cluster deploy mode, or a Python file in client mode',
          description:
            "The hub checks that the object exists, signs a GET URL for it (object_store.presign_seconds) that Spark's driver and executors fetch, and submits through the cluster's master. 409: the cluster is not running; 503: no object store configured (object_store.endpoint), or the store or the master failed.",
          params: Type.Object({ name: ClusterName }),
          body: JobBody,
          response: { 201: JobSchema, 409: ErrorReply, 503: ErrorReply, ...errors },
        },
      },
      async (req, reply) => {
        const job = await ctx.sparkJobs.submit(requireUser(req), req.params.name, req.body);
        return reply.code(201).send(jobModel(job));
      },
    );
    app.get(
      '/clusters/:name/jobs',
      {
        schema: {
          summary: "The cluster's jobs, newest first, with who submitted each; ?user= filters. Paginated: {items, _pagination}",
          params: Type.Object({ name: ClusterName }),
          querystring: Type.Object({ offset: Type.Optional(Digits), limit: Type.Optional(Digits), user: Type.Optional(Type.String({ maxLength: 64 })), token: Type.Optional(Type.String()) }, { additionalProperties: false }),
          response: { 200: JobPage, 403: errors[403], 404: errors[404] },
        },
      },
      async (req) => {
        const offset = Number(req.query.offset ?? 0);
        const limit = Math.min(Number(req.query.limit ?? ctx.config.api.page_default_limit), ctx.config.api.page_max_limit);
        if (limit < 1) throw badRequest('limit must be at least 1');
        const page = await ctx.sparkJobs.list(requireUser(req), req.params.name, { offset, limit, ...(req.query.user ? { user: req.query.user } : {}) });
        const nextOffset = offset + limit;
        const next = nextOffset < page.total ? { offset: nextOffset, limit, url: nextUrl(req, nextOffset, limit) } : null;
        return { items: page.items.map(jobModel), _pagination: { offset, limit, total: page.total, next } };
      },
    );
    app.get(
      '/clusters/:name/jobs/:id',
      {
        schema: {
          summary: "A job as its master says now, with `driver_log`: the last part of its driver's stdout and stderr (null when it cannot be read: not started, or the cluster is down)",
          params: Type.Object({ name: ClusterName, id: JobId }),
          response: { 200: Type.Object({ ...JobSchema.properties, driver_log: Type.Union([Type.String(), Type.Null()]) }), 403: errors[403], 404: errors[404] },
        },
      },
      async (req) => {
        const { job, driverLog } = await ctx.sparkJobs.get(requireUser(req), req.params.name, req.params.id);
        return { ...jobModel(job), driver_log: driverLog };
      },
    );
    app.delete(
      '/clusters/:name/jobs/:id',
      {
        config: { optionalBody: true },
        schema: {
          summary: "Kill a job's driver (and its executors); answers the job, KILLED once the master says so. The submitter, the cluster's owner or an admin",
          params: Type.Object({ name: ClusterName, id: JobId }),
          response: { 200: JobSchema, 403: errors[403], 404: errors[404] },
        },
      },
      async (req) => jobModel(await ctx.sparkJobs.kill(requireUser(req), req.params.name, req.params.id)),
    );
  };
