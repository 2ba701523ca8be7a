import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Credentials, Identity } from '../core/identity.js';
import { builtinIdentity } from '../core/roles.js';
import { OpenSockets } from './open-sockets.js';

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;
const person = (user: string, via: 'cookie' | 'token', credential: string): Identity => ({ ...builtinIdentity(user, false, via), credential });

const setup = (standing: (c: Credentials) => Identity | null = () => null) => {
  const sockets = new OpenSockets({ identity: { identify: async (c) => standing(c), peek: () => undefined }, log: silent, recheckMs: 0 });
  const open = (who: Identity, creds: Credentials = {}) => {
    const s = new PassThrough();
    sockets.track(s, who, creds);
    return s;
  };
  return { sockets, open };
};

describe('OpenSockets', () => {
  it('closes the sockets of one session, one token, the other sessions of a user, or all of a user', () => {
    const { sockets, open } = setup();
    const a1 = open(person('alice', 'cookie', 'session:h1'));
    const a2 = open(person('alice', 'cookie', 'session:h2'));
    const a3 = open(person('alice', 'cookie', 'session:h3'));
    const at = open(person('alice', 'token', 'token:t1'));
    const at2 = open(person('alice', 'token', 'token:t2'));
    const b = open(person('bob', 'cookie', 'session:b1'));
    sockets.revokeSession('h1');
    expect([a1.destroyed, a2.destroyed, at.destroyed, b.destroyed]).toEqual([true, false, false, false]);
    sockets.revokeToken('t1');
    expect([a2.destroyed, at.destroyed, at2.destroyed]).toEqual([false, true, false]);
    sockets.revokeSessionsOf('alice', 'h2');
    expect([a2.destroyed, a3.destroyed, at2.destroyed, b.destroyed]).toEqual([false, true, false, false]);
    sockets.revokeUser('alice');
    expect([a2.destroyed, at2.destroyed, b.destroyed]).toEqual([true, true, false]);
  });

  it('lets go of closed sockets', async () => {
    const { sockets, open } = setup();
    const s = open(person('alice', 'cookie', 'session:h1'));
    expect(sockets.size).toBe(1);
    s.destroy();
    await new Promise((r) => setImmediate(r));
    expect(sockets.size).toBe(0);
  });

  it('a recheck closes the sockets whose credential no longer stands (revoked where this instance did not hear)', async () => {
    const { sockets, open } = setup((c) => (c.authorization === 'token good' ? person('alice', 'token', 'token:t1') : null));
    const good = open(person('alice', 'token', 'token:t1'), { authorization: 'token good' });
    const gone = open(person('alice', 'token', 'token:t2'), { authorization: 'token gone' });
    await sockets.recheck();
    expect([good.destroyed, gone.destroyed]).toEqual([false, true]);
  });
});
