import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, clusterLogFollowUrl, logFollowUrl } from '../api.js';
import { profileLabel } from '../profiles.js';
import type { LogAnswer, LogQuery, LogStart, Profile } from '../types.js';

/** Whose output a panel shows: a server's (runtime and apps) or a cluster's (its processes). */
export interface LogSource {
  /** Changes when the panel must start over. */
  key: string;
  read(q: LogQuery): Promise<LogAnswer>;
  followUrl(q: LogQuery): string;
  /** The stream shown first. */
  stream: string;
  label(stream: string): string;
  /** Whether a start names the profile it ran (a server's do; a cluster has none). */
  profiles: boolean;
}

export const serverLogSource = (user: string, server: string): LogSource => ({
  key: `server:${user}/${server}`,
  read: (q) => api.logs(user, server, q),
  followUrl: (q) => logFollowUrl(user, server, q),
  stream: 'runtime',
  label: (s) => (s === 'runtime' ? 'runtime' : `app ${s.slice('app:'.length)}`),
  profiles: true,
});

export const clusterLogSource = (name: string): LogSource => ({
  key: `cluster:${name}`,
  read: (q) => api.clusterLogs(name, q),
  followUrl: (q) => clusterLogFollowUrl(name, q),
  stream: 'process:master',
  label: (s) => s.replace(/^process:/, ''),
  profiles: false,
});

const TAIL = 500;
/** Lines kept on screen while following; older ones scroll away. */
const KEEP = 5000;
const SEARCH_DELAY_MS = 300;
const RETRY_MS = 3000;
/** New lines are drawn in batches: a runtime printing flat out must not redraw the page per line. */
const DRAW_EVERY_MS = 100;

/**
 * A server's or a cluster's output: the latest start tailed live while it runs (follow=1 event stream), any
 * kept start and stream on demand, filtered by a search. A failed start shows its log as the page opens.
 */
/** `profiles`: to name each start's profile by what it runs. */
export const LogPanel = (p: { source: LogSource; state: string; profiles?: Profile[] | undefined }) => {
  const src = p.source;
  const [start, setStart] = useState('latest');
  const [stream, setStream] = useState(src.stream);
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [starts, setStarts] = useState<LogStart[]>([]);
  const [lines, setLines] = useState<string[]>([]);
  const [error, setError] = useState<string | undefined>(undefined);
  const [live, setLive] = useState(false);
  const [retry, setRetry] = useState(0);
  const pre = useRef<HTMLPreElement>(null);
  const atBottom = useRef(true);

  useEffect(() => {
    const t = setTimeout(() => setQ(search), SEARCH_DELAY_MS);
    return () => clearTimeout(t);
  }, [search]);

  const follows = start === 'latest' && (p.state === 'running' || p.state === 'pending' || p.state === 'starting');
  useEffect(() => {
    const query: LogQuery = { start, stream, q, tail: TAIL };
    let alive = true;
    setError(undefined);
    if (!follows) {
      setLive(false);
      src.read(query).then(
        (a: LogAnswer) => {
          if (!alive) return;
          setStarts(a.starts);
          setLines(a.lines);
        },
        (e: Error) => alive && setError(e.message),
      );
      return () => {
        alive = false;
      };
    }
    let pending: string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const draw = () => {
      timer = undefined;
      const batch = pending;
      pending = [];
      setLines((l) => [...l, ...batch].slice(-KEEP));
    };
    const es = new EventSource(src.followUrl(query));
    es.addEventListener('meta', (ev) => {
      const meta = JSON.parse((ev as MessageEvent<string>).data) as Omit<LogAnswer, 'lines'>;
      setStarts(meta.starts);
      // A reconnection sends the tail again: start over.
      pending = [];
      setLines([]);
      setLive(true);
    });
    es.onmessage = (ev: MessageEvent<string>) => {
      pending.push((JSON.parse(ev.data) as { line: string }).line);
      timer ??= setTimeout(draw, DRAW_EVERY_MS);
    };
    let again: ReturnType<typeof setTimeout> | undefined;
    es.onerror = () => {
      setLive(false);
      // Refused (nothing kept yet, or the server went): look again a little later.
      if (es.readyState === EventSource.CLOSED) again = setTimeout(() => alive && setRetry((n) => n + 1), RETRY_MS);
    };
    return () => {
      alive = false;
      es.close();
      clearTimeout(timer);
      clearTimeout(again);
    };
  }, [src.key, start, stream, q, follows, p.state, retry]);

  // Stay at the newest line unless the reader scrolled up.
  useLayoutEffect(() => {
    const el = pre.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [lines]);

  const chosen = start === 'latest' ? starts.at(-1) : starts.find((s) => s.id === start);
  const streams = chosen?.streams ?? [src.stream];
  return (
    <section data-testid="log-panel">
      <h2>
        Logs {live && <span class="muted small" data-testid="log-live">live</span>}
      </h2>
      <div class="log-controls">
        <label>
          Start{' '}
          <select data-testid="log-start" value={start} onChange={(e) => setStart((e.target as HTMLSelectElement).value)}>
            <option value="latest">latest</option>
            {[...starts].reverse().map((s) => (
              <option key={s.id} value={s.id}>
                {new Date(s.started_at).toLocaleString()}
                {src.profiles && ` (${s.profile ? profileLabel(s.profile, p.profiles) : 'no profile'})`}
              </option>
            ))}
          </select>
        </label>{' '}
        <label>
          Output{' '}
          <select data-testid="log-stream" value={stream} onChange={(e) => setStream((e.target as HTMLSelectElement).value)}>
            {streams.map((s) => (
              <option key={s} value={s}>
                {src.label(s)}
              </option>
            ))}
          </select>
        </label>{' '}
        <input type="search" data-testid="log-search" placeholder="Search the log" value={search} onInput={(e) => setSearch((e.target as HTMLInputElement).value)} />
      </div>
      {error && <p class="error">{error}</p>}
      {lines.length > 0 ? (
        <pre
          class="log"
          data-testid="log-lines"
          ref={pre}
          onScroll={(e) => {
            const el = e.target as HTMLPreElement;
            atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 20;
          }}
        >
          {lines.join('\n')}
        </pre>
      ) : (
        <p class="muted">{starts.length === 0 ? 'No output kept yet.' : q ? 'No line matches.' : 'No output.'}</p>
      )}
    </section>
  );
};
