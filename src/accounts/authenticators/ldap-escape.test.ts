import { describe, expect, it } from 'vitest';
import { USER_NAME_PATTERN } from '../../core/names.js';
import { escapeDnValue, escapeFilterValue, ldapUsernameProblem, normalizeDn } from './ldap-escape.js';

describe('escapeFilterValue (RFC 4515)', () => {
  it('escapes the filter metacharacters, NUL and non-ASCII bytes', () => {
    expect(escapeFilterValue('*')).toBe('\\2a');
    expect(escapeFilterValue(')(uid=*')).toBe('\\29\\28uid=\\2a');
    expect(escapeFilterValue('admin)(|(a=*')).toBe('admin\\29\\28|\\28a=\\2a');
    expect(escapeFilterValue('a\\b')).toBe('a\\5cb');
    expect(escapeFilterValue('a\u0000b')).toBe('a\\00b');
    expect(escapeFilterValue('é')).toBe('\\c3\\a9');
    expect(escapeFilterValue('alice.smith-2')).toBe('alice.smith-2');
  });
});

describe('escapeDnValue (RFC 4514)', () => {
  it('escapes the DN specials, leading # and spaces, trailing spaces and NUL', () => {
    expect(escapeDnValue('a,ou=admins')).toBe('a\\,ou\\=admins');
    expect(escapeDnValue('x+cn=y')).toBe('x\\+cn\\=y');
    expect(escapeDnValue('"<>;\\')).toBe('\\"\\<\\>\\;\\\\');
    expect(escapeDnValue('#a ')).toBe('\\#a\\ ');
    expect(escapeDnValue(' a')).toBe('\\ a');
    expect(escapeDnValue('a\u0000')).toBe('a\\00');
    expect(escapeDnValue('alice')).toBe('alice');
  });
});

describe('ldapUsernameProblem', () => {
  const hub = new RegExp(USER_NAME_PATTERN);
  const loose = /^.+$/s;
  it('refuses filter syntax, control characters, empty and overlong names even under a loose pattern', () => {
    for (const name of ['*', ')(uid=*', 'admin)(|(a=*', 'a\\2a', 'a\u0000', 'a\nb']) expect(ldapUsernameProblem(name, loose)).not.toBeNull();
    expect(ldapUsernameProblem('', loose)).toBe('empty username');
    expect(ldapUsernameProblem('a'.repeat(65), loose)).toBe('username too long');
  });
  it('applies the configured pattern and accepts ordinary names', () => {
    expect(ldapUsernameProblem('alice', hub)).toBeNull();
    expect(ldapUsernameProblem('Alice', hub)).toMatch(/username_pattern/);
    expect(ldapUsernameProblem('a,ou=x', hub)).toMatch(/username_pattern/);
    expect(ldapUsernameProblem('a,ou=x', loose)).toBeNull();
  });
});

describe('normalizeDn', () => {
  it('ignores case and spaces around separators', () => {
    expect(normalizeDn('CN=Admins, OU=Groups ,dc=Example,dc=org')).toBe('cn=admins,ou=groups,dc=example,dc=org');
  });
});
