/**
 * Logs people can read (issue 18): each start of a runtime or app keeps its output, readable through the API
 * after the runtime stopped and across hub restarts, and every line can be shipped elsewhere (GELF, Loki).
 */

/**
 * Which output a line belongs to: the runtime's own, one of its named apps', a managed service's, a Spark
 * cluster's (its process in `process`), the hub's.
 */
export type LogStream = 'runtime' | `app:${string}` | `service:${string}` | `cluster:${string}` | 'hub';

/** One line of output, with the labels a collector groups by. */
export interface LogLine {
  /** Unix ms when the hub read it (runtimes write plain text; the hub does not parse their timestamps). */
  at: number;
  stream: LogStream;
  /** Empty for the hub's own lines and services. */
  user: string;
  server: string;
  profile: string;
  /** A cluster's process (`master`, `worker-1`, …); absent for every other stream. */
  process?: string | undefined;
  line: string;
}

/** Where every line the hub reads or writes is offered, as it happens (the shippers subscribe). */
export interface LogFeed {
  subscribe(listener: (line: LogLine) => void): () => void;
}

/** What the feed lost before any subscriber saw it, since the hub started (counters). */
export interface LogFeedStats {
  /** Bytes of runtime and app output rotated away before the feed read them (written faster than it reads). */
  skippedBytes: number;
  /** The hub's own lines dropped because its queue for subscribers was full. */
  droppedHubLines: number;
}

/** What /hub/metrics reads of the feed. */
export interface LogFeedView {
  stats(): LogFeedStats;
}

/** The streams a server's start may have: its runtime's output and each named app's. */
export type ServerLogStream = 'runtime' | `app:${string}`;

/** A cluster's streams: one per process of a start (`process:master`, `process:worker-1`, …). */
export type ClusterLogStream = `process:${string}`;

/** The streams a kept start may have: a server's, `service` (a managed service's one output), or a cluster's. */
export type KeptStream = ServerLogStream | 'service' | ClusterLogStream;

/** One start of a server, as its log files tell it. */
export interface LogStart {
  /** Stable id (the start's time in ms, as digits): `start=` takes it. */
  id: string;
  /** Unix ms. */
  startedAt: number;
  profile: string;
  streams: KeptStream[];
  /** Disk its files use, rotated parts included. */
  bytes: number;
}

/** Which lines of a server's log: one start, one stream, then the last lines or a window by byte offset. */
export interface LogRange {
  /** 'latest', a start's id, or its index in `starts` (0: the oldest kept). */
  start: string;
  stream: KeptStream;
  /** The last `tail` lines (matching `q`). Ignored when `offset` is given. */
  tail: number;
  /** Byte offset into the stream's text (rotated part first) to read from; `limit` lines from there. */
  offset?: number | undefined;
  limit: number;
  /** Only lines containing it, case-insensitively. */
  q?: string | undefined;
  /** Leave out a last line not ended yet (a follower sends it once it is). */
  wholeLinesOnly?: boolean | undefined;
}

export interface LogPage {
  /** Every kept start, oldest first. */
  starts: LogStart[];
  /** The start read, or null when the server has none kept. */
  start: LogStart | null;
  stream: KeptStream;
  lines: string[];
  /** Byte offset just after the last line read: `offset=` continues there, `follow` starts there. */
  next: number;
}

/** A server's kept output, for the API and the console (owner and admins; the route checks). */
export interface ServerLogs {
  read(user: string, server: string, range: LogRange): Promise<LogPage>;
  /**
   * Sends each line appended to the stream from byte `from` on, as it is written (survives rotation), until
   * `signal` aborts. Whole lines only; a line is sent once its newline is written.
   */
  follow(user: string, server: string, start: string, stream: ServerLogStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void;
  /** Deletes a server's logs (the server is deleted). */
  removeServer(user: string, server: string): Promise<void>;
  /** Deletes what is left of a user's logs (the user is deleted). */
  removeUser(user: string): Promise<void>;
}

/** A managed service's kept output, per start of its process (admins only: the route checks). One stream, `service`. */
export interface ServiceLogs {
  read(service: string, range: LogRange): Promise<LogPage>;
  /** As ServerLogs.follow. */
  follow(service: string, start: string, from: number, signal: AbortSignal, send: (lines: string[]) => void): void;
}

/** A Spark cluster's kept output, per start, one stream per process (its users and admins: the route checks). */
export interface ClusterLogs {
  read(cluster: string, range: LogRange): Promise<LogPage>;
  /** As ServerLogs.follow. */
  follow(cluster: string, start: string, stream: ClusterLogStream, from: number, signal: AbortSignal, send: (lines: string[]) => void): void;
}

/** Where a spawner writes output (the layout is the logs module's): injected, so spawners import none of it. */
export interface LogFiles {
  /** A new start of the runtime: the path its output is appended to. Older starts past the limits go. */
  newStart(o: { user: string; server: string; profile: string }): string;
  /** The path a named app's output is appended to: beside its runtime's latest start. */
  appLog(user: string, server: string, app: string): string;
  /** A new start of a managed service's process: the path its output is appended to. Older starts past the limits go. */
  serviceStart(service: string): string;
  /**
   * A new start of a cluster: the path each of its processes (`master`, `worker-1`, …) appends its output to.
   * Older starts past the limits go.
   */
  clusterStart(cluster: string, processes: readonly string[]): Record<string, string>;
  /** Deletes a cluster's logs (the cluster is deleted). */
  removeCluster(cluster: string): void;
}
