import type { LogLine } from '../../core/logs.js';

/** What a GELF message says of its sender, the same for every line. */
export interface GelfSource {
  /** GELF `host`: the machine of the hub that read the line. */
  host: string;
  /** `_hub_instance`: the hub instance (monitoring.instance_id or host:port). */
  hubInstance: string;
}

/** pino's numeric levels (the hub's own lines) → syslog severities, as GELF's `level` is. */
const PINO_TO_SYSLOG: ReadonlyArray<[number, number]> = [
  [60, 2], // fatal → critical
  [50, 3], // error
  [40, 4], // warn → warning
  [30, 6], // info → informational
  [0, 7], // debug, trace
];

const INFO = 6;

/**
 * A line's syslog severity: a runtime's output carries none (informational); a hub line is pino JSON and
 * carries its own.
 */
export const gelfLevel = (line: LogLine): number => {
  if (line.stream !== 'hub' || !line.line.startsWith('{')) return INFO;
  const m = /"level":(\d+)/.exec(line.line);
  if (!m) return INFO;
  const pino = Number(m[1]);
  return PINO_TO_SYSLOG.find(([from]) => pino >= from)?.[1] ?? INFO;
};

/**
 * One line as a GELF 1.1 message (JSON text): version, host, short_message, timestamp (Unix seconds with
 * milliseconds), level, and the labels as additional fields. Never `_id` (reserved by Graylog). An empty line
 * is sent as `(empty line)`: GELF needs a non-empty short_message.
 */
export const gelfMessage = (line: LogLine, source: GelfSource, text: string = line.line): string =>
  JSON.stringify({
    version: '1.1',
    host: source.host,
    short_message: text === '' ? '(empty line)' : text,
    timestamp: line.at / 1000,
    level: gelfLevel(line),
    _user: line.user,
    _server: line.server,
    _profile: line.profile,
    _stream: line.stream,
    ...(line.process === undefined ? {} : { _process: line.process }),
    _hub_instance: source.hubInstance,
  });
