/**
 * Failed-login limits (issue 16, config auth.local.*): a pure decision over counts the caller feeds it, tested
 * with a fake clock. Keyed by username and address together, so failures from one address never hold back the
 * right password from another (no locking a user out from elsewhere); an address is also capped across all
 * usernames (spraying). Entries expire after window_seconds and their number is capped: memory stays bounded.
 */
export interface ThrottleSettings {
  failuresBeforeDelay: number;
  delaySeconds: number;
  maxDelaySeconds: number;
  failuresPerAddress: number;
  windowSeconds: number;
  maxTracked: number;
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number; reason: string };

interface PairEntry {
  failures: number;
  /** When the latest failure was; the pair may try again at `until`. */
  last: number;
  until: number;
}
interface AddressEntry {
  failures: number;
  windowStart: number;
}

const secondsUntil = (until: number, now: number): number => Math.max(1, Math.ceil((until - now) / 1000));

export class LoginThrottle {
  private readonly pairs = new Map<string, PairEntry>();
  private readonly addresses = new Map<string, AddressEntry>();

  constructor(private readonly s: ThrottleSettings) {}

  /** Whether `username` may try a password from `ip` at `now` (ms). Refused tries are not counted as failures. */
  check(username: string, ip: string, now: number): ThrottleDecision {
    const addr = this.liveAddress(ip, now);
    if (addr && addr.failures >= this.s.failuresPerAddress) {
      return { allowed: false, retryAfterSeconds: secondsUntil(addr.windowStart + this.s.windowSeconds * 1000, now), reason: 'too many failures from this address' };
    }
    const pair = this.livePair(username, ip, now);
    if (pair && pair.until > now) return { allowed: false, retryAfterSeconds: secondsUntil(pair.until, now), reason: 'too many failures for this username from this address' };
    return { allowed: true };
  }

  failed(username: string, ip: string, now: number): void {
    const addr = this.liveAddress(ip, now) ?? { failures: 0, windowStart: now };
    addr.failures++;
    this.put(this.addresses, ip, addr);
    const pair = this.livePair(username, ip, now) ?? { failures: 0, last: now, until: 0 };
    pair.failures++;
    pair.last = now;
    const over = pair.failures - this.s.failuresBeforeDelay;
    if (over >= 0) pair.until = now + Math.min(this.s.maxDelaySeconds, this.s.delaySeconds * 2 ** Math.min(over, 30)) * 1000;
    this.put(this.pairs, pairKey(username, ip), pair);
  }

  /** The right password: this pair starts afresh (the address's count stands, or one good account would reset a spray). */
  succeeded(username: string, ip: string): void {
    this.pairs.delete(pairKey(username, ip));
  }

  /** How many entries are remembered (for tests of the bound). */
  get size(): number {
    return this.pairs.size + this.addresses.size;
  }

  private livePair(username: string, ip: string, now: number): PairEntry | undefined {
    const key = pairKey(username, ip);
    const e = this.pairs.get(key);
    // Quiet for a window after its wait ended: forgotten.
    if (e && Math.max(e.last, e.until) + this.s.windowSeconds * 1000 <= now) {
      this.pairs.delete(key);
      return undefined;
    }
    return e;
  }

  private liveAddress(ip: string, now: number): AddressEntry | undefined {
    const e = this.addresses.get(ip);
    if (e && e.windowStart + this.s.windowSeconds * 1000 <= now) {
      this.addresses.delete(ip);
      return undefined;
    }
    return e;
  }

  /** Re-inserts so Map order is least recently failed first, then drops the oldest beyond the cap. */
  private put<T>(map: Map<string, T>, key: string, value: T): void {
    map.delete(key);
    map.set(key, value);
    while (map.size > this.s.maxTracked) map.delete(map.keys().next().value!);
  }
}

/** Usernames compared as directories compare them (case-insensitively), so `Alice` does not get fresh tries. */
const pairKey = (username: string, ip: string): string => `${ip}\u0000${username.toLowerCase()}`;
