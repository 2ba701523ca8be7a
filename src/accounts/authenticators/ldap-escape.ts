/**
 * What a typed username may do to a directory request (issue 16). Pure: the LDAP authenticator checks the name
 * before any request and escapes it in every DN and filter it builds, so `*` or `)(uid=*` is never LDAP syntax.
 */

/** RFC 4514 §2.4: a value inside a DN (`uid={value},ou=people,…`). */
export const escapeDnValue = (value: string): string => {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    const code = c.charCodeAt(0);
    if (code === 0) out += '\\00';
    else if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0')}`;
    else if ('",+;<>\\='.includes(c)) out += `\\${c}`;
    else if ((c === ' ' || c === '#') && i === 0) out += `\\${c}`;
    else if (c === ' ' && i === value.length - 1) out += '\\ ';
    else out += c;
  }
  return out;
};

/** RFC 4515 §3: a value inside a search filter (`(uid={value})`); every byte of a non-ASCII character escaped. */
export const escapeFilterValue = (value: string): string => {
  let out = '';
  for (const c of value) {
    const code = c.codePointAt(0)!;
    if (c === '*' || c === '(' || c === ')' || c === '\\' || code === 0 || code > 0x7e || code < 0x20) {
      for (const b of Buffer.from(c, 'utf8')) out += `\\${b.toString(16).padStart(2, '0')}`;
    } else out += c;
  }
  return out;
};

/** Longer names are refused outright: no directory has user names this long, and the hub's own stop at 64. */
export const MAX_LDAP_USERNAME_LENGTH = 64;

/**
 * Why `username` is refused before any directory request, or null when it may be asked about. Control characters
 * (NUL among them) and filter syntax are refused whatever the pattern says; escaping still applies to what passes.
 */
export const ldapUsernameProblem = (username: string, pattern: RegExp): string | null => {
  if (username === '') return 'empty username';
  if (username.length > MAX_LDAP_USERNAME_LENGTH) return 'username too long';
  if (/[\u0000-\u001f\u007f]/.test(username)) return 'control character in username';
  if (/[*()\\]/.test(username)) return 'filter syntax in username';
  if (!pattern.test(username)) return 'username does not match auth.ldap.username_pattern';
  return null;
};

/** DNs compared as directories compare them for our purposes: case and spaces around separators do not count. */
export const normalizeDn = (dn: string): string => dn.trim().replace(/\s*([,=+])\s*/g, '$1').toLowerCase();
