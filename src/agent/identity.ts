import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { IdGenerator } from '../core/ids.js';

/**
 * Who this agent is, kept beside its log: the id and offsets belong together (a new data dir is a new
 * agent, whose offsets start again at 1). `secret` is what the hub presents when pulling; `hubId` and
 * `intervalSeconds` are learnt at registration, so an agent restarted while its hub is down goes on.
 */
export interface AgentIdentity {
  id: string;
  secret: string;
  hubId: string | null;
  intervalSeconds: number | null;
}

const FILE = 'agent.json';

export const loadIdentity = (dir: string, ids: IdGenerator, prefix = ''): AgentIdentity => {
  const file = join(dir, FILE);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as AgentIdentity;
  const fresh: AgentIdentity = { id: `${prefix}${hostname()}-${ids.random(6).replace(/[^A-Za-z0-9]/g, 'x')}`, secret: ids.random(32), hubId: null, intervalSeconds: null };
  saveIdentity(dir, fresh);
  return fresh;
};

export const saveIdentity = (dir: string, identity: AgentIdentity): void => {
  const file = join(dir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(identity, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
};
