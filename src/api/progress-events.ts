import type { ServerRecord } from '../core/models.js';
import { describeServer } from '../core/names.js';
import { serverPath } from '../core/urls.js';

/**
 * One event of JupyterHub's progress stream (`GET …/server/progress`, `…/servers/{name}/progress`): `progress`
 * 0-100 and `message` always; the last one `ready` with `url`, or `failed` with the reason. nbhub's own fields
 * sit under `nbhub`: `line`, a line the runtime printed while starting (also the event's message).
 */
export interface ProgressEvent {
  progress: number;
  message: string;
  html_message?: string;
  ready?: true;
  failed?: true;
  url?: string;
  nbhub?: { line: string };
}

/** What a stream opened on a server sends first (JupyterHub's cases). */
export type Opening =
  | { kind: 'ready'; event: ProgressEvent }
  | { kind: 'failed'; event: ProgressEvent }
  /** Starting: follow it. */
  | { kind: 'follow' }
  /** Stopped or stopping: no start to follow (JupyterHub answers 400 "… is not starting"). */
  | { kind: 'not-starting'; message: string };

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export const readyEvent = (r: ServerRecord): ProgressEvent => {
  const url = serverPath(r.user, r.name);
  return { progress: 100, ready: true, message: `Server ready at ${url}`, html_message: `Server ready at <a href="${esc(url)}">${esc(url)}</a>`, url };
};

export const failedEvent = (r: ServerRecord | undefined): ProgressEvent => {
  if (!r) return { progress: 100, failed: true, message: 'Spawn failed: the server was deleted' };
  if (r.state === 'failed') return { progress: 100, failed: true, message: `Spawn failed: ${r.message ?? 'unknown error'}` };
  // Stopped before it was ready (stopped by its owner, an admin, the hub).
  return { progress: 100, failed: true, message: `Spawn cancelled: ${describeServer(r.user, r.name)} was stopped before it was ready` };
};

export const opening = (r: ServerRecord): Opening => {
  switch (r.state) {
    case 'running':
      return { kind: 'ready', event: readyEvent(r) };
    case 'failed':
      return { kind: 'failed', event: failedEvent(r) };
    case 'pending':
      return { kind: 'follow' };
    case 'stopped':
    case 'stopping':
      return { kind: 'not-starting', message: `${describeServer(r.user, r.name)} is not starting (it is ${r.state === 'stopped' ? 'stopped' : 'stopping'})` };
  }
};

/** How far a start is, as JupyterHub's spawners say it: requested (0), launched (10), then each line rises toward 95. */
export const REQUESTED = 0;
export const LAUNCHED = 10;

/**
 * The progress after the `n`th line (1, 2, …) of the runtime's output: rising with every line, never reaching
 * 100 (only ready does), since nobody knows how many lines a runtime prints before it listens.
 */
export const lineProgress = (n: number): number => Math.min(95, LAUNCHED + Math.floor(85 * (1 - Math.pow(0.9, Math.max(0, n)))));

/** The event of one line of output; its progress never falls below what was sent before. */
export const lineEvent = (line: string, n: number, before: number): ProgressEvent => ({ progress: Math.max(before, lineProgress(n)), message: line, nbhub: { line } });

/** Whether the record moved on from what the stream last saw: a launch (handle set), or an end. */
export const launched = (r: ServerRecord | undefined): boolean => r?.state === 'pending' && r.handle !== null;
