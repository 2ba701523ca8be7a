/** What a request to the API server was, for the "API requests per runtime started" figure. */
export type RequestKind = 'list' | 'watch' | 'other';

/**
 * Counts the requests nbhub makes to the API server (the bench and the tests read it), and what the
 * watches went through: 410 Gone answers and the relists they caused, reconnects after errors.
 */
export class RequestCounter {
  list = 0;
  watch = 0;
  other = 0;
  /** 410 Gone seen (HTTP status or ERROR event). */
  gone = 0;
  /** Lists made after the first one of a watch (after a 410, or after an error while listing). */
  relists = 0;
  /** Watches re-opened after an error or a dropped connection (not after a normal timeout). */
  reconnects = 0;
  bookmarks = 0;

  count(kind: RequestKind): void {
    this[kind] += 1;
  }

  get total(): number {
    return this.list + this.watch + this.other;
  }

  snapshot(): { list: number; watch: number; other: number; total: number; gone: number; relists: number; reconnects: number; bookmarks: number } {
    const { list, watch, other, gone, relists, reconnects, bookmarks } = this;
    return { list, watch, other, total: this.total, gone, relists, reconnects, bookmarks };
  }
}

/** A GET of a collection path (no object name after the resource) is a list; a watch is counted by its caller. */
export const classifyRequest = (method: string, url: string): RequestKind => {
  if (method.toUpperCase() !== 'GET') return 'other';
  const u = new URL(url);
  if (u.searchParams.get('watch') === 'true') return 'watch';
  // /api/v1/namespaces/NS/pods, /apis/G/V/namespaces/NS/R, /api/v1/pods: a collection has an odd number of
  // segments after the version when namespaced (namespaces, NS, resource), one when cluster-wide.
  const parts = u.pathname.split('/').filter(Boolean);
  const rest = parts[0] === 'api' ? parts.slice(2) : parts.slice(3);
  if (rest[0] === 'namespaces') return rest.length === 3 ? 'list' : 'other';
  return rest.length === 1 ? 'list' : 'other';
};
