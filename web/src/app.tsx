import { useEffect } from 'preact/hooks';
import { api, ApiError } from './api.js';
import { CullBanner } from './components/CullBanner.js';
import { Header } from './components/Header.js';
import { AdminPage } from './pages/Admin.js';
import { ClusterPage } from './pages/ClusterPage.js';
import { ClustersPage } from './pages/Clusters.js';
import { HomePage } from './pages/Home.js';
import { LoginPage } from './pages/Login.js';
import { ServerPage } from './pages/ServerPage.js';
import { StartPage } from './pages/StartPage.js';
import { UsagePage } from './pages/Usage.js';
import { usePoll } from './poll.js';
import { navigate, parseRoute, useLocation, type Route } from './router.js';

const POLL_MS = 2000;

/** Pages that need a login: polls the current user (with every server) so states change without a reload. */
const Signed = (p: { route: Exclude<Route, { page: 'login' }>; pathname: string; search: string }) => {
  const me = usePoll(api.me, POLL_MS, 'me');
  const anonymous = me.error instanceof ApiError && (me.error.status === 401 || me.error.status === 403);
  useEffect(() => {
    if (anonymous) navigate(`/hub/login?next=${encodeURIComponent(p.pathname)}`, { replace: true });
    else if (p.route.page === 'root' && me.data) navigate('/hub/home', { replace: true });
  }, [anonymous, p.route.page, me.data !== undefined]);

  if (!me.data) {
    if (me.error && !anonymous)
      return (
        <main>
          <p class="error" role="alert">
            Could not reach the hub: {me.error.message}
          </p>
        </main>
      );
    return <main class="muted">Loading…</main>;
  }
  const r = p.route;
  return (
    <>
      <Header me={me.data} page={r.page} />
      {me.error && (
        <p class="banner error" role="alert" data-testid="connection-error">
          Lost contact with the hub ({me.error.message}); retrying.
        </p>
      )}
      <CullBanner user={me.data.name} servers={Object.values(me.data.servers)} onChanged={me.refresh} />
      {(r.page === 'home' || r.page === 'root') && <HomePage me={me.data} refresh={me.refresh} />}
      {r.page === 'admin' && <AdminPage me={me.data} search={p.search} />}
      {r.page === 'usage' && <UsagePage me={me.data} search={p.search} />}
      {r.page === 'server' && <ServerPage key={`${r.user}/${r.server}`} user={r.user} server={r.server} me={me.data.name} search={p.search} />}
      {r.page === 'start' && <StartPage key={`${r.user}/${r.server}`} user={r.user} server={r.server} search={p.search} />}
      {r.page === 'clusters' && <ClustersPage me={me.data} />}
      {r.page === 'cluster' && <ClusterPage key={r.name} name={r.name} me={me.data} />}
      {r.page === 'not-found' && <main class="error">There is no page at {p.pathname}.</main>}
    </>
  );
};

export const App = () => {
  const loc = useLocation();
  const route = parseRoute(loc.pathname);
  if (route.page === 'login') return <LoginPage search={loc.search} />;
  return <Signed route={route} pathname={loc.pathname + loc.search} search={loc.search} />;
};
