import { useAction } from '../action.js';
import { api } from '../api.js';
import { usePoll } from '../poll.js';
import type { AppModel } from '../types.js';

const APPS_POLL_MS = 3000;

const AppRow = (p: { user: string; server: string; app: AppModel; onChanged: () => void }) => {
  const action = useAction();
  const a = p.app;
  const act = (fn: () => Promise<unknown>) => void action.run(fn).then(p.onChanged);
  const up = a.state === 'running' || a.state === 'starting';
  return (
    <li class="app" data-testid="app-row" data-app={a.name}>
      {a.icon && <img class="app-icon" src={a.icon} alt="" width={20} height={20} />}
      <strong data-testid="app-title">{a.title}</strong>{' '}
      <span class={`badge badge-${a.state === 'starting' ? 'pending' : a.state}`} data-testid="app-state">
        {a.state}
      </span>
      {a.restarts > 0 && <span class="muted small"> restarted {a.restarts}×</span>}{' '}
      {/* Opening the link starts the app too (the hub does it on first visit); the button is for starting ahead. */}
      <a href={a.url} target="_blank" rel="noopener" data-testid="app-open">
        Open
      </a>{' '}
      {up ? (
        <button type="button" data-testid="app-stop" disabled={action.busy} onClick={() => act(() => api.stopApp(p.user, p.server, a.name))}>
          Stop
        </button>
      ) : (
        <button type="button" data-testid="app-start" disabled={action.busy} onClick={() => act(() => api.startApp(p.user, p.server, a.name))}>
          {action.busy ? 'Starting…' : 'Start'}
        </button>
      )}
      {a.message && (
        <pre class={a.state === 'failed' ? 'error small' : 'muted small'} data-testid="app-message">
          {a.message}
        </pre>
      )}
      {action.error && (
        <span class="error" role="alert" data-testid="app-error">
          {action.error}
        </span>
      )}
    </li>
  );
};

/** The named apps of a running server (its profile's), each with a link to open it and a start or stop button. */
export const AppList = (p: { user: string; server: string }) => {
  const apps = usePoll(() => api.apps(p.user, p.server), APPS_POLL_MS, `apps:${p.user}/${p.server}`);
  if (!apps.data?.length && !apps.error) return null;
  return (
    <section data-testid="apps">
      <h2>Apps</h2>
      {apps.error && (
        <p class="error" role="alert">
          Could not list apps: {apps.error.message}
        </p>
      )}
      <ul class="apps">
        {(apps.data ?? []).map((a) => (
          <AppRow key={a.name} user={p.user} server={p.server} app={a} onChanged={apps.refresh} />
        ))}
      </ul>
    </section>
  );
};
