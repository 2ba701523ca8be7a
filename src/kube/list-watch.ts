import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from '../core/logger.js';
import { backoffDelay } from './backoff.js';
import type { ChangeType } from './cache.js';
import type { RequestCounter } from './counter.js';
import { apiStatus } from './errors.js';
import { labelSelector } from './relist.js';
import type { ResourceSource } from './source.js';

export interface ListWatchOptions {
  source: ResourceSource<KubernetesObject>;
  counter: RequestCounter;
  logger: Logger;
  labels?: Readonly<Record<string, string>> | undefined;
  fieldSelector?: string | undefined;
  /** Objects per list page (`limit`; the rest follows with `continue`). */
  pageSize?: number;
  /** Each watch asks the server to end it after this many seconds (then it re-watches from where it was). */
  timeoutSeconds?: () => number;
  /** Delay before the n-th consecutive retry after an error. */
  backoff?: (attempt: number) => number;
  /** A watch that brings nothing (not even a bookmark) for this long is dropped and re-opened. */
  idleMs?: number;
}

/** What the list-watch loop hands over; WatchCache and WatchStream decide what to keep and to report. */
export interface ListWatchSink {
  /** A complete list (`first`: the initial one; otherwise a relist after 410 Gone or an error). */
  listed(items: KubernetesObject[], resourceVersion: string, first: boolean): void;
  changed(type: ChangeType, obj: KubernetesObject): void;
}

type WatchOutcome = 'gone' | 'ended' | 'failed';

/**
 * The loop behind every shared watch: list (paged), then watch from the list's resourceVersion with
 * bookmarks; when the server ends a watch, watch again from the last resourceVersion seen; on 410 Gone
 * (HTTP status or ERROR event) relist; on any other error or a dropped connection, back off (exponential,
 * jittered, capped) and try again. It never stops by itself. client-node's informer is not used: it stops
 * on errors other than 410 and asks for no bookmarks.
 */
export class ListWatch {
  /** The last resourceVersion seen (from the list, an event or a bookmark): where the next watch starts. */
  resourceVersion = '';
  private stopped = false;
  private current: { abort(): void } | undefined;
  private wake: (() => void) | undefined;
  private readonly selector: string | undefined;
  private readonly pageSize: number;
  private readonly timeoutSeconds: () => number;
  private readonly backoff: (attempt: number) => number;
  private readonly idleMs: number;

  constructor(
    private readonly options: ListWatchOptions,
    private readonly sink: ListWatchSink,
  ) {
    this.selector = labelSelector(options.labels);
    this.pageSize = options.pageSize ?? 500;
    // About 5 minutes, spread so that watches opened together do not all end together.
    this.timeoutSeconds = options.timeoutSeconds ?? (() => 240 + Math.floor(Math.random() * 60));
    this.backoff = options.backoff ?? ((n) => backoffDelay(n, Math.random));
    // The server ends every watch at its timeoutSeconds (≤ 300 s); one silent past that is a dead connection.
    // Shorter would drop healthy watches of quiet kinds (Events get no bookmarks unless the API server caches them).
    this.idleMs = options.idleMs ?? 330_000;
  }

  start(): void {
    void this.run().catch((err: unknown) => this.options.logger.error({ err, watch: this.options.source.description }, 'kube watch loop crashed'));
  }

  stop(): void {
    this.stopped = true;
    this.current?.abort();
    this.wake?.();
  }

  private async run(): Promise<void> {
    const { source, counter, logger } = this.options;
    let needList = true;
    let first = true;
    let attempt = 0;
    while (!this.stopped) {
      if (needList) {
        try {
          const { items, resourceVersion } = await this.listAll();
          if (this.stopped) return;
          if (!first) counter.relists += 1;
          this.resourceVersion = resourceVersion;
          this.sink.listed(items, resourceVersion, first);
          first = false;
          needList = false;
        } catch (err) {
          logger.warn({ err: describeError(err), status: apiStatus(err), watch: source.description, attempt }, 'kube list failed; retrying');
          await this.sleep(this.backoff(attempt++));
          continue;
        }
      }
      const started = Date.now();
      const { outcome, events, err } = await this.watchOnce();
      if (this.stopped) return;
      if (outcome === 'gone') {
        counter.gone += 1;
        logger.info({ watch: source.description, resourceVersion: this.resourceVersion }, 'kube watch: 410 Gone, relisting');
        needList = true;
        // A relist right away; a second 410 in a row waits like any other error.
        if (attempt > 0) await this.sleep(this.backoff(attempt));
        attempt += 1;
        continue;
      }
      // A server-side timeout after a healthy watch: go on at once. Anything else backs off.
      if (outcome === 'ended' && (events > 0 || Date.now() - started > 10_000)) {
        attempt = 0;
        continue;
      }
      counter.reconnects += 1;
      logger.warn({ err: describeError(err), status: apiStatus(err), watch: source.description, attempt }, 'kube watch dropped; re-watching');
      await this.sleep(this.backoff(attempt++));
    }
  }

  private async listAll(): Promise<{ items: KubernetesObject[]; resourceVersion: string }> {
    const items: KubernetesObject[] = [];
    let cont: string | undefined;
    let resourceVersion = '';
    do {
      const page = await this.options.source.list({ labelSelector: this.selector, fieldSelector: this.options.fieldSelector, limit: this.pageSize, continue: cont });
      items.push(...page.items);
      // Every page of one list is a snapshot at the first page's resourceVersion; the last page says it too.
      resourceVersion = page.resourceVersion;
      cont = page.continue || undefined;
    } while (cont !== undefined && !this.stopped);
    return { items, resourceVersion };
  }

  private watchOnce(): Promise<{ outcome: WatchOutcome; events: number; err?: unknown }> {
    return new Promise((resolve) => {
      let events = 0;
      let outcome: WatchOutcome | undefined;
      let settled = false;
      let idle: NodeJS.Timeout | undefined;
      const finish = (o: WatchOutcome, err?: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(idle);
        this.current?.abort();
        this.current = undefined;
        resolve({ outcome: o, events, err });
      };
      const armIdle = (): void => {
        clearTimeout(idle);
        idle = setTimeout(() => finish('failed', new Error(`no data for ${this.idleMs} ms`)), this.idleMs);
        idle.unref();
      };
      armIdle();
      const onEvent = (type: string, object: unknown): void => {
        if (settled) return;
        armIdle();
        const obj = object as KubernetesObject;
        switch (type) {
          case 'ADDED':
          case 'MODIFIED':
          case 'DELETED':
            events += 1;
            if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            this.sink.changed(type, obj);
            return;
          case 'BOOKMARK':
            events += 1;
            this.options.counter.bookmarks += 1;
            if (obj.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
            return;
          case 'ERROR': {
            const code = (object as { code?: unknown }).code;
            outcome = code === 410 ? 'gone' : 'failed';
            finish(outcome, new Error(`watch ERROR event: ${JSON.stringify(object)}`));
            return;
          }
          default:
            return;
        }
      };
      const done = (err: unknown): void => {
        if (err === null || err === undefined) finish(outcome ?? 'ended');
        else finish(apiStatus(err) === 410 ? 'gone' : 'failed', err);
      };
      const query = {
        labelSelector: this.selector,
        fieldSelector: this.options.fieldSelector,
        resourceVersion: this.resourceVersion,
        allowWatchBookmarks: true as const,
        timeoutSeconds: this.timeoutSeconds(),
      };
      this.options.source.watch(query, onEvent, done).then(
        (handle) => {
          if (settled || this.stopped) handle.abort();
          else this.current = handle;
        },
        (err: unknown) => done(err ?? new Error('watch failed')),
      );
    });
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

const describeError = (err: unknown): string | undefined => (err === undefined ? undefined : err instanceof Error ? err.message : JSON.stringify(err));
