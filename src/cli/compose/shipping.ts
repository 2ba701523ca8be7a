import { hostname } from 'node:os';
import type { Config } from '../../config/schema.js';
import type { Clock } from '../../core/clock.js';
import type { LogShippingView } from '../../core/log-shipping.js';
import type { Logger } from '../../core/logger.js';
import type { LogFeed } from '../../core/logs.js';
import type { Service } from '../../hub/hub.js';
import { GelfTcpSink } from '../../logs/ship/gelf-tcp.js';
import { GelfUdpSink } from '../../logs/ship/gelf-udp.js';
import { LokiSink } from '../../logs/ship/loki.js';
import { Shipper } from '../../logs/ship/shipper.js';
import { LogShipping } from '../../logs/ship/shipping.js';
import type { BatchSink } from '../../logs/ship/sink.js';

/** How long a stopping hub gives the targets to take what is queued. */
const CLOSE_BOUND_MS = 2_000;

export interface ShippingDeps {
  config: Readonly<Config>;
  feed: LogFeed;
  clock: Clock;
  log: Logger;
  /** This hub instance (`_hub_instance`, `hub_instance`). */
  instance: string;
}

/** `udp://host:port` → host (brackets of an IPv6 literal taken off) and port; the schema checked the form. */
const hostPort = (url: string): { host: string; port: number } => {
  const u = new URL(url);
  return { host: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(u.port) };
};

const sinks = (d: ShippingDeps): BatchSink[] => {
  const ship = d.config.logs.ship;
  const source = { host: hostname(), hubInstance: d.instance };
  return [
    ...ship.gelf.map((t) =>
      t.url.startsWith('udp:') ? new GelfUdpSink({ ...hostPort(t.url), compression: t.compression, chunkSize: t.chunk_size, source }) : new GelfTcpSink({ ...hostPort(t.url), source }),
    ),
    ...ship.loki.map(
      (t) => new LokiSink({ url: t.url, labels: t.labels, username: t.username, password: t.password, tenant: t.tenant, batchLines: t.batch_lines, flushMs: t.flush_seconds * 1000, hubInstance: d.instance }),
    ),
  ];
};

/**
 * The log shipping of `logs.ship`: one Shipper (queue, loop, counters) per target, fed by the LogFeed. A
 * service the hub starts once it listens and stops last; with no target it does nothing.
 */
export const createShipping = (d: ShippingDeps): { service: Service; view: LogShippingView } => {
  const ship = d.config.logs.ship;
  const shippers = sinks(d).map((sink) => new Shipper(sink, { queueLines: ship.queue_lines, clock: d.clock, log: d.log }));
  const shipping = new LogShipping(d.feed, shippers, new Set(ship.streams));
  for (const s of shippers) d.log.info({ sink: s.stats().sink }, 'shipping logs');
  return { service: { start: () => shipping.start(), stop: () => shipping.stop(CLOSE_BOUND_MS) }, view: shipping };
};
