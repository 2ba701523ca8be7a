import { useAction } from '../action.js';
import { api } from '../api.js';
import { navigate } from '../router.js';
import type { UserModel } from '../types.js';
import { Link } from './Link.js';

export const Header = (p: { me: UserModel; page: string }) => {
  const logout = useAction();
  return (
    <header class="top">
      <strong class="brand">nbhub</strong>
      <nav>
        <Link href="/hub/home" testid="nav-home" class={p.page === 'home' ? 'current' : ''}>
          My servers
        </Link>
        <Link href="/hub/usage" testid="nav-usage" class={p.page === 'usage' ? 'current' : ''}>
          Usage
        </Link>
        <Link href="/hub/clusters" testid="nav-clusters" class={p.page === 'clusters' || p.page === 'cluster' ? 'current' : ''}>
          Clusters
        </Link>
        {p.me.admin && (
          <Link href="/hub/admin" testid="nav-admin" class={p.page === 'admin' ? 'current' : ''}>
            Admin
          </Link>
        )}
      </nav>
      <span class="spacer" />
      <span data-testid="current-user">{p.me.name}</span>
      <button
        type="button"
        data-testid="logout"
        disabled={logout.busy}
        onClick={() =>
          void logout.run(async () => {
            // Through a provider, logout may continue at the provider's end-session page: a whole-page visit.
            if ((await api.loginOptions()).authenticator === 'oidc') window.location.assign('/hub/logout');
            else await api.logout().then(() => navigate('/hub/login'));
          })
        }
      >
        Log out
      </button>
      {logout.error && <span class="error">{logout.error}</span>}
    </header>
  );
};
