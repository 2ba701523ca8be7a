/**
 * Logs people can read (issue 18): each start of a runtime or app keeps its output, readable through the API
 * after the runtime stopped and across hub restarts, and every line can be shipped elsewhere (GELF, Loki).
 */

/** Which output a line belongs to: the runtime's own, one of its named apps', a managed service's, the hub's. */
export type LogStream = 'runtime' | `app:${string}` | `service:${string}` | 'hub';

/** One line of output, with the labels a collector groups by. */
export interface LogLine {
  /** Unix ms when the hub read it (runtimes write plain text; the hub does not parse their timestamps). */
  at: number;
  stream: LogStream;
  /** Empty for the hub's own lines and services. */
  user: string;
  server: string;
  profile: string;
  line: string;
}

/** Where every line the hub reads or writes is offered, as it happens (the shippers subscribe). */
export interface LogFeed {
  subscribe(listener: (line: LogLine) => void): () => void;
}
