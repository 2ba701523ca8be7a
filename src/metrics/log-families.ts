import { DROP_REASONS, type SinkStats } from '../core/log-shipping.js';
import type { LogFeedStats } from '../core/logs.js';
import type { Family, Sample } from './text-format.js';

/**
 * Log shipping (issue 18), per target. Every drop reason is written, 0 included, so that a rate() over one
 * reason finds a series from the first scrape on.
 */
export const logShippingFamilies = (sinks: readonly SinkStats[]): Family[] => [
  {
    name: 'nbhub_log_lines_shipped_total',
    type: 'counter',
    help: 'Log lines a target took (GELF: sent; Loki: accepted), by target.',
    samples: sinks.map((s) => ({ labels: { sink: s.sink }, value: s.shipped })),
  },
  {
    name: 'nbhub_log_lines_dropped_total',
    type: 'counter',
    help: 'Log lines not shipped, by target and reason: queue_full (the target fell behind; newest lines dropped), rejected (Loki 4xx), send_failed (unreachable through every retry, or a refused datagram), closing (the hub stopped first).',
    samples: sinks.flatMap((s) => DROP_REASONS.map((reason) => ({ labels: { sink: s.sink, reason }, value: s.dropped[reason] }))),
  },
  {
    name: 'nbhub_log_lines_truncated_total',
    type: 'counter',
    help: 'Log lines shipped cut short, by target (a GELF UDP message longer than 128 chunks).',
    samples: sinks.map((s) => ({ labels: { sink: s.sink }, value: s.truncated })),
  },
  {
    name: 'nbhub_log_ship_queue_lines',
    type: 'gauge',
    help: 'Log lines waiting to be shipped, by target (logs.ship.queue_lines at most).',
    samples: sinks.map((s) => ({ labels: { sink: s.sink }, value: s.queued })),
  },
];

/**
 * What the log feed (which the shippers read from) lost before they saw it. Written whenever the hub has a
 * feed, 0 included; both stay 0 while nothing ships (the feed then reads no line at all).
 */
export const logFeedFamilies = (feed: LogFeedStats | undefined): Family[] => {
  const one = (value: number | undefined): Sample[] => (value === undefined ? [] : [{ labels: {}, value }]);
  return [
    {
      name: 'nbhub_log_feed_skipped_bytes_total',
      type: 'counter',
      help: 'Bytes of runtime and app output the log feed never read, so never shipped: the file was rotated (logs.bytes_per_file) while reading was behind.',
      samples: one(feed?.skippedBytes),
    },
    {
      name: 'nbhub_log_feed_hub_lines_dropped_total',
      type: 'counter',
      help: "The hub's own log lines dropped before shipping because the feed's queue for them was full.",
      samples: one(feed?.droppedHubLines),
    },
  ];
};
