import type { RuntimePorts } from '../core/apps.js';
import type { Clock } from '../core/clock.js';
import type { Spawner } from '../core/spawner.js';
import { parseLaunchRecord } from './launch-record.js';
import type { RecordIndex } from './record-index.js';

/** How long a yes is believed: a page's assets come in a burst, and each answer may mean a scan of /proc. */
const YES_MS = 5_000;
const MAX_ENTRIES = 10_000;

/**
 * Which ports of a running runtime the proxy may reach, from its handle (the spawner judges). A yes is kept a
 * few seconds per start of the runtime (the key holds its target, new at each start); a no is asked again.
 */
export class PortDirectory implements RuntimePorts {
  private readonly yes = new Map<string, { origin: string; until: number }>();

  constructor(
    private readonly index: RecordIndex,
    private readonly spawner: Pick<Spawner, 'portTarget'>,
    private readonly clock: Clock,
  ) {}

  async portTarget(user: string, server: string, port: number): Promise<string | null> {
    const rec = this.index.get(user, server);
    if (!rec || rec.state !== 'running' || !rec.target) return null;
    const key = `${user}\u0000${server}\u0000${port}\u0000${rec.target}`;
    const now = this.clock.now();
    const known = this.yes.get(key);
    if (known && known.until > now) return known.origin;
    const launch = parseLaunchRecord(rec.handle);
    if (!launch) return null;
    const origin = this.spawner.portTarget ? await this.spawner.portTarget(launch.spawner, port) : sameHost(rec.target, port);
    if (origin === null) {
      this.yes.delete(key);
      return null;
    }
    if (this.yes.size >= MAX_ENTRIES) this.yes.clear();
    this.yes.set(key, { origin, until: now + YES_MS });
    return origin;
  }
}

/** `port` of the host of `target` (a pod's IP), same scheme. */
const sameHost = (target: string, port: number): string => {
  const u = new URL(target);
  u.port = String(port);
  return u.origin;
};
