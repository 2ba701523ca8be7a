import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import type { ExecutionFilter } from '../executionFilter.js';
import { usePoll } from '../poll.js';
import { ExecutionSummaryTables } from './ExecutionSummaryTables.js';
import { ExecutionTable } from './ExecutionTable.js';

const POLL_MS = 3000;
const PAGE = 50;

const at = (s: number) => new Date(s * 1000).toLocaleTimeString();

/**
 * The executions of one server, or of one notebook, or of a moment picked on a chart (issue 4), newest first;
 * the filter lives in the page's address, so it can be shared and the back button undoes it.
 */
export const ExecutionsPanel = (p: {
  user: string;
  server: string;
  filter: ExecutionFilter;
  onFilter: (f: ExecutionFilter) => void;
  /** Whether the page has charts to pick a moment on (a deleted server's page has none). */
  charts?: boolean;
}) => {
  const [offset, setOffset] = useState(0);
  const f = p.filter;
  const q = { user: p.user, server: p.server, ...(f.notebook ? { notebook: f.notebook } : {}), ...(f.from !== undefined ? { since: f.from, until: f.to } : {}) };
  const key = `${p.user}/${p.server}:${f.notebook ?? ''}:${f.from ?? ''}:${f.to ?? ''}`;
  const page = usePoll(() => api.executions({ ...q, limit: PAGE, offset }), POLL_MS, `executions:${key}:${offset}`);
  // Running cells count in the summary as they run: it is read as often as the list while one runs.
  const running = (page.data?.items ?? []).filter((e) => e.ended === null).map((e) => e.id);
  const summary = usePoll(
    () => api.executionSummary({ user: p.user, server: p.server, ...(f.from !== undefined ? { since: f.from, until: f.to } : {}) }),
    running.length > 0 ? POLL_MS : POLL_MS * 5,
    `summary:${key}`,
  );
  // The summary follows the list: read again as soon as the list shows an execution ended or a new one,
  // including a short cell that began and ended between two of the list's loads.
  const listed = (page.data?.items ?? []).map((e) => `${e.id}${e.ended === null ? '' : ':ended'}`).join(',');
  useEffect(() => {
    if (page.data) summary.refresh();
  }, [listed]);
  const set = (next: ExecutionFilter) => {
    setOffset(0);
    p.onFilter(next);
  };
  const total = page.data?._pagination.total ?? 0;
  return (
    <section data-testid="executions">
      <h2>Executions{page.data ? ` (${total})` : ''}</h2>
      <div class="actions filters" data-testid="execution-filters">
        {f.notebook && (
          <span class="chip" data-testid="filter-notebook">
            notebook {f.notebook}{' '}
            <button type="button" class="link" aria-label="Show every notebook" onClick={() => set({ ...f, notebook: undefined })}>
              ✕
            </button>
          </span>
        )}
        {f.from !== undefined && f.to !== undefined && (
          <span class="chip" data-testid="filter-window">
            running between {at(f.from)} and {at(f.to)}{' '}
            <button type="button" class="link" aria-label="Any time" onClick={() => set({ ...f, from: undefined, to: undefined })}>
              ✕
            </button>
          </span>
        )}
        {!f.notebook && f.from === undefined && <span class="muted small">Every notebook of this server.{p.charts === false ? '' : ' Pick a point on a chart to see what ran then.'}</span>}
      </div>
      {summary.data && summary.data.notebooks.length > 0 && !f.notebook && <ExecutionSummaryTables summary={summary.data} onNotebook={(notebook) => set({ ...f, notebook })} />}
      {page.error && (
        <p class="error" role="alert" data-testid="executions-error">
          Could not list executions: {page.error.message}
        </p>
      )}
      {!page.data && !page.error && <p class="muted">Loading…</p>}
      {page.data?.items.length === 0 && (
        <p class="muted" data-testid="executions-empty">
          No executions{f.notebook || f.from !== undefined ? ' match' : ' recorded yet'}.
        </p>
      )}
      {page.data && page.data.items.length > 0 && <ExecutionTable items={page.data.items} onNotebook={(notebook) => set({ ...f, notebook })} onChanged={page.refresh} />}
      {total > PAGE && (
        <div class="actions">
          <button type="button" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            Newer
          </button>
          <span class="muted small">
            {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
          </span>
          <button type="button" disabled={offset + PAGE >= total} onClick={() => setOffset(offset + PAGE)}>
            Older
          </button>
        </div>
      )}
    </section>
  );
};
