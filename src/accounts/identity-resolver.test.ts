import { describe, expect, it } from 'vitest';
import { tokenFromCredentials } from './identity-resolver.js';

describe('tokenFromCredentials', () => {
  it("reads JupyterHub's header forms and ?token=", () => {
    expect(tokenFromCredentials({ authorization: 'token abc' })).toBe('abc');
    expect(tokenFromCredentials({ authorization: 'Bearer abc' })).toBe('abc');
    expect(tokenFromCredentials({ queryToken: 'q' })).toBe('q');
  });
  it('ignores a ?token= beside a session cookie, so a link cannot switch who a logged-in user is', () => {
    expect(tokenFromCredentials({ queryToken: 'attacker', cookie: 'nbhub-session=mine' })).toBeUndefined();
    expect(tokenFromCredentials({ authorization: 'token t', cookie: 'nbhub-session=mine' })).toBe('t');
  });
});
