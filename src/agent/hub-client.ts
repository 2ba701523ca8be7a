import { runtimeKey, type SeedSource } from '../core/events.js';
import type { LastCounter } from '../core/store.js';

export interface Registration {
  hubId: string;
  intervalSeconds: number;
}

/** What a separate agent asks of its hub's API, with an admin's token. */
export class HubClient {
  constructor(
    private readonly hub: string,
    private readonly token: string,
    private readonly timeoutMs = 10_000,
  ) {}

  async register(a: { id: string; url: string; secret: string }): Promise<Registration> {
    const body = (await this.post('/hub/api/agents', a)) as { hub_id: string; interval_seconds: number };
    return { hubId: body.hub_id, intervalSeconds: body.interval_seconds };
  }

  seeds(agentId: string): SeedSource {
    return {
      lastCounters: async (runtimes) => {
        const body = (await this.post(`/hub/api/agents/${encodeURIComponent(agentId)}/seeds`, { runtimes })) as {
          seeds: Array<{ user: string; server: string; kernel: string; t: number; cpu: number }>;
        };
        const out = new Map<string, Map<string, LastCounter>>(runtimes.map((r) => [runtimeKey(r), new Map()]));
        for (const s of body.seeds) out.get(runtimeKey(s))?.set(s.kernel, { t: s.t, cpu: s.cpu });
        return out;
      },
    };
  }

  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(this.hub + path, {
      method: 'POST',
      headers: { authorization: `token ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`hub answered ${res.status} to POST ${path}: ${text.slice(0, 300)}`);
    return JSON.parse(text);
  }
}
