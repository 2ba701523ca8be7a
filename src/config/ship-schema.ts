import { z } from 'zod';

/**
 * `logs.ship.*` (issue 18): where every runtime, app, service and hub log line is sent besides the log files,
 * GELF (Graylog) and Loki. Apart from the rotation keys (`logs.*`, another file) so each stays small.
 */

const hostPort = (url: URL): boolean => url.hostname !== '' && url.port !== '' && url.pathname.replace(/^\/$/, '') === '' && !url.search && !url.hash;

const gelfUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'udp:' || u.protocol === 'tcp:') && hostPort(u) && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be udp://host:port or tcp://host:port')
  .describe('udp://host:port (compressed, chunked) or tcp://host:port (uncompressed, null-byte delimited, reconnected with backoff).');

export const gelfTargetSchema = z
  .object({
    url: gelfUrl,
    compression: z
      .enum(['gzip', 'zlib', 'none'])
      .default('gzip')
      .describe('UDP only: how each message is compressed before it is chunked (GELF over TCP is never compressed).'),
    chunk_size: z
      .number()
      .int()
      .min(64)
      .max(8192)
      .default(1420)
      .describe('UDP only: largest datagram, the 12-byte chunk header included. A message needing more than 128 chunks is cut to fit (counted).'),
  })
  .strict();

const lokiUrl = z
  .string()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'http:' || u.protocol === 'https:') && u.pathname.endsWith('/loki/api/v1/push') && !u.username && !u.password;
    } catch {
      return false;
    }
  }, 'must be http(s)://host[:port]/…/loki/api/v1/push, without credentials (use username and password)')
  .describe("Loki's push endpoint, http(s)://host[:port]/loki/api/v1/push.");

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** The labels every line carries; a static label may not replace one. */
export const LINE_LABELS = ['user', 'server', 'profile', 'stream', 'process', 'hub_instance'] as const;

export const lokiTargetSchema = z
  .object({
    url: lokiUrl,
    labels: z
      .record(z.string(), z.string().min(1))
      .default({})
      .describe('Static labels added to every stream (each line also carries user, server, profile, stream, process (on cluster lines) and hub_instance, empty ones left out).'),
    username: z.string().default('').describe('Basic auth user (empty: no Authorization header).'),
    password: z.string().default('').describe('Basic auth password.'),
    tenant: z.string().default('').describe('Sent as X-Scope-OrgID (empty: not sent).'),
    batch_lines: z.number().int().min(1).max(100_000).default(1000).describe('Most lines in one push.'),
    flush_seconds: z.number().min(0.05).max(60).default(1).describe('A push goes out this long after its first line at the latest, full or not.'),
  })
  .strict()
  .superRefine((t, ctx) => {
    for (const k of Object.keys(t.labels)) {
      if (!LABEL_NAME.test(k)) ctx.addIssue({ code: 'custom', path: ['labels', k], message: 'label names: letters, digits and _, not starting with a digit' });
      if ((LINE_LABELS as readonly string[]).includes(k)) ctx.addIssue({ code: 'custom', path: ['labels', k], message: `is set on every line (${LINE_LABELS.join(', ')})` });
    }
    if (t.password !== '' && t.username === '') ctx.addIssue({ code: 'custom', path: ['password'], message: 'a password needs a username' });
  });

export const SHIP_STREAMS = ['runtime', 'apps', 'services', 'clusters', 'hub'] as const;
export type ShipStream = (typeof SHIP_STREAMS)[number];

export const shipSchema = z
  .object({
    gelf: z
      .array(gelfTargetSchema)
      .default([])
      .describe('GELF 1.1 targets (Graylog): a list of {url, compression, chunk_size}. Fields: _user, _server, _profile, _stream, _process (on cluster lines only), _hub_instance.'),
    loki: z
      .array(lokiTargetSchema)
      .default([])
      .describe("Loki push targets: a list of {url, labels, username, password, tenant, batch_lines, flush_seconds}."),
    streams: z
      .array(z.enum(SHIP_STREAMS))
      .default([...SHIP_STREAMS])
      .describe("Which lines are shipped: the runtimes' output, their named apps', managed services', Spark clusters' processes' (stream cluster:{name}, label process), the hub's own."),
    queue_lines: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(10_000)
      .describe('Lines waiting per target at most. When a target falls behind, new lines are dropped (counted in nbhub_log_lines_dropped_total, warned in the log): runtimes are never slowed.'),
  })
  .strict();

export type ShipConfig = z.infer<typeof shipSchema>;
export type GelfTarget = z.infer<typeof gelfTargetSchema>;
export type LokiTarget = z.infer<typeof lokiTargetSchema>;
