import type { Duplex } from 'node:stream';
import type { Credentials, Identity, IdentityResolver } from '../core/identity.js';
import type { Logger } from '../core/logger.js';
import { sessionCredential, tokenCredential, type CredentialRevocations } from '../core/revocations.js';

interface Held {
  socket: Duplex;
  who: Identity;
  credentials: Credentials;
}

export interface OpenSocketsOptions {
  identity: IdentityResolver;
  log: Logger;
  /** How often every open socket's credential is asked again (ms); 0: never (tests drive `recheck`). */
  recheckMs?: number;
}

/**
 * The WebSockets the proxies have upgraded, by user and by credential, so that a revocation closes them at once
 * (they outlive the request that was authenticated). A revocation this instance does not hear of (another hub
 * instance on the same store, a session that expires) is caught by `recheck`, which asks the resolver again for
 * each credential: such a socket closes within the resolver's cache TTL plus the recheck interval.
 */
export class OpenSockets implements CredentialRevocations {
  private readonly byUser = new Map<string, Set<Held>>();
  private readonly byCredential = new Map<string, Set<Held>>();
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly o: OpenSocketsOptions) {
    const every = o.recheckMs ?? 5_000;
    this.timer = every > 0 ? setInterval(() => void this.recheck(), every).unref() : undefined;
  }

  /** Holds an upgraded client socket until it closes. */
  track(socket: Duplex, who: Identity, credentials: Credentials): void {
    if (socket.destroyed) return;
    const held: Held = { socket, who, credentials };
    add(this.byUser, who.user, held);
    if (who.credential) add(this.byCredential, who.credential, held);
    socket.once('close', () => {
      remove(this.byUser, who.user, held);
      if (who.credential) remove(this.byCredential, who.credential, held);
    });
  }

  /** How many sockets are held (for tests and metrics). */
  get size(): number {
    let n = 0;
    for (const s of this.byUser.values()) n += s.size;
    return n;
  }

  revokeSession(idHash: string): void {
    this.close(this.byCredential.get(sessionCredential(idHash)), 'session ended');
  }

  revokeToken(tokenId: string): void {
    this.close(this.byCredential.get(tokenCredential(tokenId)), 'token revoked');
  }

  revokeSessionsOf(user: string, keepIdHash?: string): void {
    const keep = keepIdHash === undefined ? undefined : sessionCredential(keepIdHash);
    const ended = [...(this.byUser.get(user) ?? [])].filter((h) => h.who.via === 'cookie' && h.who.credential !== keep);
    this.close(ended, 'sessions ended');
  }

  revokeUser(user: string): void {
    this.close(this.byUser.get(user), 'user removed');
  }

  /** Asks again who each open socket's credential is (fresh from the store); closes those no longer standing. */
  async recheck(): Promise<void> {
    const seen = new Map<string, Held[]>();
    for (const set of this.byUser.values())
      for (const h of set) {
        const key = h.who.credential ?? `${h.who.user}\u0000${h.credentials.authorization ?? ''}\u0000${h.credentials.cookie ?? ''}\u0000${h.credentials.queryToken ?? ''}`;
        const list = seen.get(key) ?? [];
        list.push(h);
        seen.set(key, list);
      }
    for (const list of seen.values()) {
      const first = list[0] as Held;
      try {
        const now = await this.o.identity.identify(first.credentials);
        if (!now || now.user !== first.who.user) this.close(list, 'credential no longer valid');
      } catch (err) {
        // A store that does not answer closes nothing: the next recheck asks again.
        this.o.log.debug({ err }, 'proxy: cannot recheck an open WebSocket');
      }
    }
  }

  close(held: Iterable<Held> | undefined, why: string): void {
    if (!held) return;
    const list = [...held];
    // The client end: the forwarder ends the upstream with it. Abrupt (no close frame), as the frames in flight
    // both ways are the runtime's own and a close frame could land inside one.
    for (const h of list) h.socket.destroy();
    if (list.length > 0) this.o.log.info({ user: list[0]?.who.user, count: list.length, why }, 'proxy: closed WebSockets');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

const add = (m: Map<string, Set<Held>>, key: string, h: Held) => {
  let s = m.get(key);
  if (!s) m.set(key, (s = new Set()));
  s.add(h);
};

const remove = (m: Map<string, Set<Held>>, key: string, h: Held) => {
  const s = m.get(key);
  if (!s) return;
  s.delete(h);
  if (s.size === 0) m.delete(key);
};
