import type { ServerState } from './models.js';

/** What the proxy needs to know about one server; the lifecycle keeps the table current. */
export interface RouteEntry {
  user: string;
  server: string;
  state: ServerState;
  /** Set only while the runtime is ready. */
  target: string | null;
  token: string | null;
}

/**
 * The proxy's route table. `/user/alice/x/...` is alice's named server `x` when she has one,
 * otherwise a path inside her default server; the table resolves that ambiguity.
 */
export interface RouteTable {
  resolve(user: string, firstSegment: string | undefined): RouteEntry | undefined;
}

/** Notified of user activity seen by the proxy (throttled by the receiver). */
export interface ActivitySink {
  touch(user: string, server: string, at: number): void;
}
