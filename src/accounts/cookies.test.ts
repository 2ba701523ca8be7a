import { describe, expect, it } from 'vitest';
import { sessionIdOf, stripHubCookies } from './cookies.js';

describe('session cookies (issue 16, class 5)', () => {
  it('reads the session under either name, and no session when two values disagree (cookie tossing)', () => {
    expect(sessionIdOf('a=1; nbhub-session=s1')).toBe('s1');
    expect(sessionIdOf('__Host-nbhub-session=s1; x=2')).toBe('s1');
    expect(sessionIdOf('nbhub-session=s1; nbhub-session=s1')).toBe('s1');
    expect(sessionIdOf('nbhub-session=tossed; nbhub-session=s1')).toBeUndefined();
    expect(sessionIdOf('__Host-nbhub-session=s1; nbhub-session=tossed')).toBeUndefined();
    expect(sessionIdOf('x=1')).toBeUndefined();
    expect(stripHubCookies('__Host-nbhub-session=s; nbhub-session=t; nbhub-xsrf=x; a=1')).toBe('a=1');
  });
});
