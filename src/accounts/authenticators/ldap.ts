import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, type Entry } from 'ldapts';
import type { LdapConfig } from '../../config/ldap-schema.js';
import type { PasswordAuthenticator, PasswordOutcome } from '../../core/authenticator.js';
import type { Logger } from '../../core/logger.js';
import { escapeDnValue, escapeFilterValue, ldapUsernameProblem, normalizeDn } from './ldap-escape.js';

/** Group names the hub takes from a group's cn; others are skipped (they end up in URLs). */
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@ -]{0,63}$/;
/** No login reads more groups than this, however the directory nests them. */
const MAX_GROUPS = 1000;

/** What a login's group memberships grant (pure): whether they may log in, admin, and their hub groups. */
export const ldapVerdict = (
  c: Pick<LdapConfig, 'allowed_groups' | 'admin_groups' | 'group_search_base'>,
  groups: ReadonlyMap<string, string | undefined>,
): { allowed: boolean; admin: boolean | null; groups: string[] | null } => {
  const member = (dns: readonly string[]) => dns.some((dn) => groups.has(normalizeDn(dn)));
  const names = [...new Set([...groups.values()].filter((cn): cn is string => cn !== undefined && GROUP_NAME.test(cn)))].sort();
  return {
    allowed: c.allowed_groups.length === 0 || member(c.allowed_groups),
    admin: c.admin_groups.length === 0 ? null : member(c.admin_groups),
    groups: c.group_search_base === '' ? null : names,
  };
};

const first = (e: Entry, attr: string): string | undefined => {
  const v = e[attr];
  const s = Array.isArray(v) ? v[0] : v;
  return s === undefined ? undefined : String(s);
};

/**
 * Logs in against an LDAP directory with ldapts (ldapauthenticator's keys): bind by the first template that binds,
 * or search as the service account and bind as the entry found; then read the user's groups (direct and nested)
 * for allowed_groups, admin_groups and their hub groups. One connection per login, always unbound.
 */
export const ldapAuthenticator = (c: LdapConfig, log: Logger): PasswordAuthenticator => {
  let tls: ConnectionOptions = {};
  if (c.tls_ca_file !== '') {
    try {
      tls = { ca: [readFileSync(c.tls_ca_file, 'utf8')] };
    } catch (err) {
      throw new Error(`auth.ldap.tls_ca_file: cannot read ${c.tls_ca_file}: ${(err as Error).message}`);
    }
  }
  const pattern = new RegExp(c.username_pattern);
  const timeout = Math.round(c.timeout_seconds * 1000);

  const groupsOf = async (client: Client, dn: string, username: string): Promise<Map<string, string | undefined>> => {
    const found = new Map<string, string | undefined>();
    const search = async (filter: string): Promise<string[]> => {
      const { searchEntries } = await client.search(c.group_search_base, { scope: 'sub', filter, attributes: ['cn'], sizeLimit: MAX_GROUPS });
      const fresh: string[] = [];
      for (const e of searchEntries) {
        const key = normalizeDn(e.dn);
        if (found.has(key) || found.size >= MAX_GROUPS) continue;
        found.set(key, first(e, 'cn'));
        fresh.push(e.dn);
      }
      return fresh;
    };
    const d = escapeFilterValue(dn);
    let frontier = await search(`(|(member=${d})(uniqueMember=${d})(memberUid=${escapeFilterValue(username)}))`);
    // A group that is a member of another: followed level by level, visited groups skipped, so cycles end too.
    for (let depth = 0; depth < c.nested_group_depth && frontier.length > 0; depth++) {
      const terms = frontier.map((g) => `(member=${escapeFilterValue(g)})(uniqueMember=${escapeFilterValue(g)})`).join('');
      frontier = await search(`(|${terms})`);
    }
    return found;
  };

  const bindService = async (client: Client): Promise<void> => {
    if (c.search_bind_dn !== '') await client.bind(c.search_bind_dn, c.search_bind_password);
  };

  /** The user's DN when `password` binds as them; null when no entry or template binds. */
  const bindUser = async (client: Client, username: string, password: string): Promise<string | null> => {
    if (c.lookup_dn) {
      await bindService(client);
      const { searchEntries } = await client.search(c.user_search_base, {
        scope: 'sub',
        filter: `(${c.user_attribute}=${escapeFilterValue(username)})`,
        attributes: ['dn'],
        sizeLimit: 2,
      });
      // Two entries with one name: which one is meant is not ours to guess.
      if (searchEntries.length !== 1) return null;
      const dn = searchEntries[0]!.dn;
      try {
        await client.bind(dn, password);
        return dn;
      } catch (err) {
        if (err instanceof InvalidCredentialsError) return null;
        throw err;
      }
    }
    for (const template of c.bind_dn_template) {
      const dn = template.replaceAll('{username}', escapeDnValue(username));
      try {
        await client.bind(dn, password);
        return dn;
      } catch (err) {
        if (!(err instanceof InvalidCredentialsError)) throw err;
      }
    }
    return null;
  };

  return {
    kind: 'ldap',
    login: async (typed, password): Promise<PasswordOutcome> => {
      // Hub names are lower case and directories match uid case-insensitively: Alice logs in as alice.
      const username = typed.toLowerCase();
      const problem = ldapUsernameProblem(username, pattern);
      if (problem) return { ok: false, reason: problem };
      // An empty password is an unauthenticated bind, which many directories let succeed (ldapauthenticator #44).
      if (password === '') return { ok: false, reason: 'empty password' };
      // ldapts opens TLS at once whenever tlsOptions are given, even for ldap://: StartTLS gets them at the upgrade instead.
      const client = new Client({ url: c.url, timeout, connectTimeout: timeout, ...(c.url.startsWith('ldaps://') ? { tlsOptions: tls } : {}) });
      try {
        if (c.start_tls) await client.startTLS(tls);
        const dn = await bindUser(client, username, password);
        if (dn === null) return { ok: false, reason: 'directory refused the credentials' };
        let groups = new Map<string, string | undefined>();
        if (c.group_search_base !== '') {
          await bindService(client);
          groups = await groupsOf(client, dn, username);
        }
        const v = ldapVerdict(c, groups);
        if (!v.allowed) return { ok: false, reason: 'not in auth.ldap.allowed_groups' };
        return { ok: true, user: { name: username, admin: v.admin, groups: v.groups, via: 'ldap' } };
      } catch (err) {
        // Unreachable, TLS refused, timed out: the person is told "invalid", the log says why (never the password).
        log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, url: c.url }, 'LDAP login failed at the directory');
        return { ok: false, reason: `directory error: ${(err as Error).message}` };
      } finally {
        // A client left bound (or half-bound after a failed bind) keeps its socket and the process alive.
        await client.unbind().catch(() => {});
      }
    },
  };
};
