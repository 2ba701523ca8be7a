import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { freePort } from '../../src/spawners/local/ports.js';
import { killAndWait } from './hub.js';

const SCRIPT = fileURLToPath(new URL('./oidc-provider.mjs', import.meta.url));

export interface TestAccount {
  preferred_username?: string;
  email?: string;
  email_verified?: boolean;
  groups?: string[];
}

/** A real oidc-provider 9 in its own process on 127.0.0.1: client `nbhub` / `nbhub-test-secret`. */
export interface TestProvider {
  issuer: string;
  setAccounts(accounts: Record<string, TestAccount>): Promise<void>;
  /** The test's interposer on the token endpoint: pass, re-sign the ID token with a foreign key, or replay the last one. */
  setMode(mode: 'pass' | 'foreign-key' | 'replay'): Promise<void>;
  /** Revokes every refresh token it issued so far. */
  revokeRefreshTokens(): Promise<void>;
  /** Every access, refresh and ID token it has issued (to check none reaches a log). */
  issuedTokens(): Promise<string[]>;
  stop(): Promise<void>;
  /** Starts it again on the same port (after stop): a fresh provider, with no accounts and new keys. */
  restart(): Promise<void>;
}

const spawnProvider = async (port: number): Promise<ChildProcess> => {
  let out = '';
  const proc: ChildProcess = spawn(process.execPath, [SCRIPT, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stderr?.on('data', (b: Buffer) => (out += b.toString()));
  await new Promise<void>((resolve, reject) => {
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    proc.once('exit', (code) => reject(new Error(`oidc-provider exited (${code}): ${out}`)));
  });
  return proc;
};

/** `running: false` reserves the port and issuer without starting it (a provider down when the hub starts). */
export const startTestProvider = async (o: { running?: boolean } = {}): Promise<TestProvider> => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let proc: ChildProcess | null = o.running === false ? null : await spawnProvider(port);
  const put = async (path: string, body: unknown, method = 'PUT') => {
    const res = await fetch(issuer + path, { method, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
  };
  return {
    issuer,
    setAccounts: (a) => put('/__test/accounts', a),
    setMode: (mode) => put('/__test/mode', { mode }),
    revokeRefreshTokens: () => put('/__test/revoke-refresh', {}, 'POST'),
    issuedTokens: async () => (await (await fetch(`${issuer}/__test/issued`)).json()) as string[],
    stop: async () => {
      if (proc) await killAndWait(proc, 'SIGTERM');
      proc = null;
    },
    restart: async () => {
      proc = await spawnProvider(port);
    },
  };
};

/** The hub config for an oidc login against `p` (extra lines appended under auth.oidc). */
export const oidcHubConfig = (p: TestProvider, extra: string[] = []): string =>
  ['auth:', '  authenticator: oidc', '  oidc:', `    issuer: ${p.issuer}`, '    client_id: nbhub', '    client_secret: nbhub-test-secret', '    allow_http_issuer: true', ...extra.map((l) => `    ${l}`)].join('\n') + '\n';

/** A user's hub groups, read from the hub's SQLite store. */
export const hubGroupsOf = (dataDir: string, user: string): string[] => {
  const db = new Database(`${dataDir}/nbhub.sqlite`, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT group_name FROM group_members WHERE user_name = ? ORDER BY group_name').all(user) as Array<{ group_name: string }>).map((r) => r.group_name);
  } finally {
    db.close();
  }
};

/** Cookies by origin, as a browser would keep them (enough for these flows: no paths, no expiry dates). */
export class CookieJar {
  private readonly jars = new Map<string, Map<string, string>>();
  take(url: string, res: Response): void {
    const jar = this.jars.get(new URL(url).origin) ?? new Map<string, string>();
    this.jars.set(new URL(url).origin, jar);
    for (const c of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = c.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attrs.some((a) => /max-age=0\b/i.test(a.trim()))) jar.delete(name);
      else jar.set(name, value);
    }
  }
  header(url: string): string {
    return [...(this.jars.get(new URL(url).origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(url: string, name: string): string | undefined {
    return this.jars.get(new URL(url).origin)?.get(name);
  }
  /** One request without following redirects; keeps the cookies it sets. */
  async fetch(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { ...init.headers, cookie: this.header(url) } });
    this.take(url, res);
    return res;
  }
}

/**
 * Walks the browser's path from the hub's /hub/oauth_login through the provider's login form (devInteractions:
 * any password) up to the hub's callback URL, which it returns without visiting it.
 */
export const loginAtProvider = async (jar: CookieJar, hubUrl: string, login: string, next = '/hub/home'): Promise<string> => {
  let res = await jar.fetch(`${hubUrl}/hub/oauth_login?next=${encodeURIComponent(next)}`);
  let url = new URL(res.headers.get('location') ?? '', hubUrl).href;
  for (let hop = 0; hop < 10; hop++) {
    if (url.startsWith(hubUrl)) return url;
    res = await jar.fetch(url);
    if (res.status === 200 && new URL(url).pathname.startsWith('/interaction/')) {
      res = await jar.fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt: 'login', login, password: 'any' }).toString(),
      });
    }
    const location = res.headers.get('location');
    if (!location) throw new Error(`no redirect from ${url}: ${res.status} ${await res.text()}`);
    url = new URL(location, url).href;
  }
  throw new Error('too many redirects at the provider');
};
