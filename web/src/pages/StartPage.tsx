import { useEffect, useRef, useState } from 'preact/hooks';
import { api, progressUrl } from '../api.js';
import { FailureDetails } from '../components/FailureDetails.js';
import { Link } from '../components/Link.js';
import { StateBadge } from '../components/StateBadge.js';
import { displayName } from '../format.js';
import { serverPagePath } from '../router.js';
import { applyEvent, initialView, landing, type ProgressEvent, type StartView } from '../start.js';
import type { ServerModel } from '../types.js';

/**
 * A server's start as it happens (/hub/spawn-pending/{user}/{server}, JupyterHub's path): follows the progress
 * stream, shows the hub's messages and the runtime's output lines as they come, and goes to the server by itself
 * once it is ready (to `next` when that is inside it), or says why it did not start.
 */
export const StartPage = (p: { user: string; server: string; search: string }) => {
  const [view, setView] = useState<StartView>(initialView);
  // The server as the API has it, once the stream ended without ready (failed, or not starting at all).
  const [model, setModel] = useState<ServerModel | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  // Bumped to follow again (after Start on a stopped server).
  const [attempt, setAttempt] = useState(0);
  const output = useRef<HTMLPreElement>(null);
  const next = new URLSearchParams(p.search).get('next');

  useEffect(() => {
    setView(initialView);
    setModel(undefined);
    let ended = false;
    const es = new EventSource(progressUrl(p.user, p.server));
    const lookUp = () =>
      api.user(p.user).then(
        (u) => {
          const s = u.servers[p.server] ?? null;
          setModel(s);
          // Lost while it was starting, or ready meanwhile: follow again by itself, a few times.
          const going = s?.nbhub.state === 'pending' || s?.nbhub.state === 'running';
          if (going && attempt < 5) setTimeout(() => setAttempt((n) => n + 1), 1000);
        },
        (e: unknown) => setProblem(e instanceof Error ? e.message : String(e)),
      );
    es.onmessage = (m: MessageEvent<string>) => {
      const e = JSON.parse(m.data) as ProgressEvent;
      setView((v) => applyEvent(v, e));
      if (e.ready && e.url) {
        ended = true;
        es.close();
        location.assign(landing(e.url, next));
      } else if (e.failed) {
        ended = true;
        es.close();
        void lookUp();
      }
    };
    // A refusal (400: not starting, 404) or a lost connection: the server's own model says which.
    es.onerror = () => {
      if (ended) return;
      ended = true;
      es.close();
      void lookUp();
    };
    return () => {
      ended = true;
      es.close();
    };
  }, [p.user, p.server, attempt]);

  // Keep the newest output line in sight.
  useEffect(() => {
    const el = output.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [view.lines.length]);

  const start = () => {
    setProblem(undefined);
    api.beginStart(p.user, p.server).then(
      () => setAttempt((n) => n + 1),
      (e: unknown) => setProblem(e instanceof Error ? e.message : String(e)),
    );
  };

  const label = `${p.user} / ${displayName(p.server)}`;
  const state = model?.nbhub.state;
  // Until the stream ends the server is starting, as far as this page knows.
  const badge = state ?? (view.readyUrl ? 'running' : view.failed ? 'failed' : 'pending');
  // The stream ended without ready: a failure, or a server that was not starting (stopped, or it went on meanwhile).
  const settled = model !== undefined && view.readyUrl === null;
  return (
    <main data-testid="start-page" data-user={p.user} data-server={p.server}>
      <h1>
        Starting <Link href={serverPagePath(p.user, p.server)}>{label}</Link> <StateBadge state={badge} />
      </h1>
      <div class="start-progress">
        <progress data-testid="start-progress" max={100} value={view.progress} aria-label="Start progress" />
        <span class="muted">{view.progress}%</span>
      </div>
      <p data-testid="start-message" aria-live="polite">
        {view.readyUrl ? (
          <>
            Ready: opening <a href={landing(view.readyUrl, next)}>{landing(view.readyUrl, next)}</a>…
          </>
        ) : (
          view.message
        )}
      </p>
      {view.lines.length > 0 && (
        <details open>
          <summary>What the runtime printed</summary>
          <pre class="log" data-testid="start-output" ref={output}>
            {view.lines.map((l, i) => (
              <div key={i} data-testid="start-line">
                {l}
              </div>
            ))}
          </pre>
        </details>
      )}
      {settled && model && (view.failed !== null || state === 'failed') && (
        <section data-testid="start-failed">
          <h2>It did not start</h2>
          {view.failed && <p data-testid="start-failure">{view.failed}</p>}
          {state === 'failed' && <FailureDetails server={model} />}
        </section>
      )}
      {settled && (model === null || state === 'stopped' || state === 'failed') && (
        <p data-testid="start-not-running">
          {model === null && p.server !== '' ? `${p.user} has no server named ${p.server}. ` : state === 'failed' ? '' : `${label} is not running. `}
          {(model !== null || p.server === '') && (
            <button type="button" data-testid="start-again" onClick={start}>
              {state === 'failed' ? 'Start again' : 'Start it'}
            </button>
          )}{' '}
          <Link href={serverPagePath(p.user, p.server)}>Server page</Link>
        </p>
      )}
      {settled && (state === 'running' || state === 'pending') && (
        // The stream was lost while it was starting, or it became ready meanwhile: follow again.
        <p>
          <button type="button" data-testid="start-follow" onClick={() => setAttempt((n) => n + 1)}>
            Follow the start again
          </button>
        </p>
      )}
      {problem && (
        <p class="error" role="alert" data-testid="start-error">
          {problem}
        </p>
      )}
    </main>
  );
};
