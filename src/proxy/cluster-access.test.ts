import { builtinIdentity } from '../core/roles.js';
import { describe, expect, it } from 'vitest';
import { mayUseCluster, type ClusterRecord } from '../core/clusters.js';
import type { Identity } from '../core/identity.js';
import { decideClusterAccess, type ClusterAsk } from './cluster-access.js';

const cluster = (o: Partial<ClusterRecord> = {}): ClusterRecord => ({
  name: 'demo',
  kind: 'spark',
  owner: 'alice',
  users: ['bob'],
  workers: 2,
  workerCores: 1,
  workerMemoryMb: 1024,
  desired: 'running',
  state: 'running',
  handle: { v: 1, kind: 'local-spark' },
  endpoints: { master: 'spark://127.0.0.1:7077', rest: 'http://127.0.0.1:6066', ui: 'http://127.0.0.1:8080' },
  failure: null,
  created: 0,
  started: 1,
  stopped: null,
  ...o,
});
const person = (user: string, o: Partial<Identity> = {}): Identity => ({ ...builtinIdentity(user, o.admin ?? false), ...o });
const ask = (o: Partial<ClusterAsk>): ClusterAsk => ({
  who: person('alice'),
  name: 'demo',
  cluster: cluster(),
  mayUse: mayUseCluster,
  method: 'GET',
  headers: { host: 'hub.example' },
  websocket: false,
  ...o,
});

describe('decideClusterAccess', () => {
  it("lets the owner, a user it is shared with and admins in, to the master's UI only (never the REST port)", () => {
    for (const who of [person('alice'), person('bob'), person('root', { admin: true })]) {
      expect(decideClusterAccess(ask({ who }))).toEqual({ ok: true, ui: 'http://127.0.0.1:8080' });
    }
  });
  it('refuses others with a 403 naming the cluster, and no login with a 401 that sends browsers to log in', () => {
    expect(decideClusterAccess(ask({ who: person('carol') }))).toMatchObject({ ok: false, status: 403, login: false, message: expect.stringContaining('Cluster demo is not shared with carol') });
    expect(decideClusterAccess(ask({ who: null }))).toMatchObject({ ok: false, status: 401, login: true });
    // A service's token owns nothing, even when named like the owner.
    expect(decideClusterAccess(ask({ who: { ...builtinIdentity('alice', false), service: 'alice', scopes: new Map() } }))).toMatchObject({ status: 403 });
  });
  it('tells nobody without a login whether a cluster exists; an unknown one is 404 to others', () => {
    expect(decideClusterAccess(ask({ who: null, cluster: undefined }))).toMatchObject({ status: 401 });
    expect(decideClusterAccess(ask({ cluster: undefined, name: 'nope' }))).toMatchObject({ status: 404, message: 'No such cluster: nope' });
  });
  it('answers 503 with the state, and the failure of a failed cluster, to its users only', () => {
    expect(decideClusterAccess(ask({ cluster: cluster({ state: 'stopped', endpoints: null }) }))).toMatchObject({ status: 503, message: 'Cluster demo is not running (stopped)' });
    expect(decideClusterAccess(ask({ cluster: cluster({ state: 'starting' }) }))).toMatchObject({ status: 503, message: 'Cluster demo is not running (starting)' });
    expect(decideClusterAccess(ask({ cluster: cluster({ state: 'failed', endpoints: null, failure: 'its worker-2 (pid 9) ended' }) }))).toMatchObject({
      status: 503,
      message: 'Cluster demo is not running (failed): its worker-2 (pid 9) ended',
    });
    expect(decideClusterAccess(ask({ who: person('carol'), cluster: cluster({ state: 'failed', failure: 'secret detail' }) }))).toMatchObject({ status: 403 });
  });
  it("passes a cookie write from the hub's own pages (Spark's kill forms) and refuses one from another origin", () => {
    const cookie = person('alice', { via: 'cookie' });
    const headers = (origin: string) => ({ host: 'hub.example', origin });
    expect(decideClusterAccess(ask({ who: cookie, method: 'POST', headers: headers('http://hub.example') }))).toMatchObject({ ok: true });
    expect(decideClusterAccess(ask({ who: cookie, method: 'POST', headers: headers('http://evil.example') }))).toMatchObject({ ok: false, status: 403, message: 'Cross-origin request from http://evil.example refused' });
    expect(decideClusterAccess(ask({ who: cookie, websocket: true, headers: headers('http://evil.example') }))).toMatchObject({ status: 403 });
    // A token is no ambient credential: no Origin check.
    expect(decideClusterAccess(ask({ method: 'POST', headers: headers('http://evil.example') }))).toMatchObject({ ok: true });
  });
});
