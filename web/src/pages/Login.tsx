import { useEffect, useState } from 'preact/hooks';
import { useAction } from '../action.js';
import { api } from '../api.js';
import { go } from '../router.js';

/** The page to return to after logging in (the proxy sends people here with ?next=/user/…). */
const nextParam = (search: string): string | undefined => new URLSearchParams(search).get('next') ?? undefined;

export const LoginPage = (p: { search: string }) => {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [provider, setProvider] = useState<{ label: string; login_url: string } | null | undefined>(undefined);
  const action = useAction();
  const next = nextParam(p.search);
  // The form-post fallback (no script) comes back with ?error=1.
  const formError = new URLSearchParams(p.search).has('error') ? 'Invalid username or password' : undefined;

  // Someone already logged in has nothing to do here.
  useEffect(() => {
    let alive = true;
    void api.me().then(
      () => alive && go(next ?? '/hub/home'),
      () => undefined,
    );
    // Through an OpenID Connect provider, a button replaces the password form.
    void api.loginOptions().then(
      (o) => alive && setProvider(o.oidc ?? null),
      () => alive && setProvider(null),
    );
    return () => {
      alive = false;
    };
  }, []);

  const submit = async (e: Event) => {
    e.preventDefault();
    let dest = '/hub/home';
    const ok = await action.run(async () => {
      const r = await api.login(username.trim(), password, next);
      if (next) dest = r.next;
    });
    if (ok) go(dest);
    else setPassword('');
  };

  const error = action.error ?? formError;
  if (provider) {
    return (
      <main class="login">
        <h1>nbhub</h1>
        <a class="button" data-testid="login-oidc" href={`${provider.login_url}${next ? `?next=${encodeURIComponent(next)}` : ''}`}>
          Sign in with {provider.label}
        </a>
      </main>
    );
  }
  return (
    <main class="login">
      <h1>nbhub</h1>
      <form data-testid="login-form" onSubmit={(e) => void submit(e)}>
        <label>
          Username
          <input
            name="username"
            data-testid="login-username"
            autocomplete="username"
            autofocus
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            data-testid="login-password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" data-testid="login-submit" disabled={action.busy}>
          {action.busy ? 'Logging in…' : 'Log in'}
        </button>
        {error && (
          <p class="error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
};
