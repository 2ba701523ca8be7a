import { Type } from '@fastify/type-provider-typebox';
import { isoOrNull } from '../core/clock.js';
import type { ClusterRecord } from '../core/clusters.js';
import { formatMemory } from '../clusters/input.js';

/** A cluster as the API shows it (DESIGN.md: `state` and `ui_url`); the master's address only to its users. */
export const clusterModel = (c: ClusterRecord) => ({
  name: c.name,
  kind: c.kind,
  owner: c.owner,
  users: [...c.users],
  workers: c.workers,
  worker_cores: c.workerCores,
  worker_memory: formatMemory(c.workerMemoryMb),
  state: c.state,
  ui_url: `/clusters/${c.name}/`,
  master_url: c.state === 'running' ? (c.endpoints?.master ?? null) : null,
  failure: c.failure,
  created: isoOrNull(c.created),
  started: isoOrNull(c.started),
  stopped: isoOrNull(c.stopped),
});

const NullableString = (description: string) => Type.Union([Type.String(), Type.Null()], { description });

export const ClusterModel = Type.Object({
  name: Type.String(),
  kind: Type.Literal('spark'),
  owner: Type.String({ description: 'The user it belongs to' }),
  users: Type.Array(Type.String(), { description: 'Other users allowed to use it (its UIs, jobs, notebooks)' }),
  workers: Type.Integer(),
  worker_cores: Type.Integer({ description: 'Cores each worker offers' }),
  worker_memory: Type.String({ description: 'Memory each worker offers, as Spark writes it (512m, 2g)' }),
  state: Type.Union([Type.Literal('stopped'), Type.Literal('starting'), Type.Literal('running'), Type.Literal('stopping'), Type.Literal('failed')], {
    description: 'starting until the master answers and every worker has registered; failed: see failure',
  }),
  ui_url: Type.String({ description: 'Its UIs through the hub: the master, and from there each worker and application' }),
  master_url: NullableString('spark://host:port while it runs: what a driver connects to'),
  failure: NullableString('Why it failed, with the last lines its processes printed'),
  created: NullableString('ISO 8601'),
  started: NullableString('When it became ready (ISO 8601)'),
  stopped: NullableString('When it last stopped or failed (ISO 8601)'),
});

export const ClusterCreate = Type.Object(
  {
    name: Type.String({ description: "Lower-case letters, digits and '-', at most 40 characters" }),
    kind: Type.Optional(Type.Literal('spark')),
    workers: Type.Optional(Type.Integer({ description: 'Number of workers (default 1; at most spark.max_workers)' })),
    worker_cores: Type.Optional(Type.Integer({ description: 'Cores per worker (default 1; at most spark.max_worker_cores)' })),
    worker_memory: Type.Optional(Type.Union([Type.String(), Type.Integer()], { description: 'Memory per worker: "512m", "2g", or MiB (default 1g)' })),
    owner: Type.Optional(Type.String({ description: 'Its owner (default: the admin creating it)' })),
    users: Type.Optional(Type.Array(Type.String(), { description: 'Other users allowed to use it' })),
  },
  { additionalProperties: true },
);
