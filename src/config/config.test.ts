import { readFileSync } from 'node:fs';
import { policies } from '../culler/policy.js';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { configReference } from './reference.js';

describe('config', () => {
  it('has the defaults of the contract', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ ip: '127.0.0.1', port: 8000, database_url: '' });
    expect(c.monitoring).toMatchObject({ interval_seconds: 10, executions: true, embedded_agent: true });
    expect(c.culling).toMatchObject({ enabled: true, idle_timeout_seconds: 3600, every_seconds: 60, max_age_seconds: 0, spare_busy: true, kernel_idle_timeout_seconds: 0, exempt_users: [] });
    expect(loadConfig({ env: { NBHUB_CULLING_IDLE_TIMEOUT_SECONDS: '1800' } }).culling.idle_timeout_seconds).toBe(1800);
    expect(c.data_dir.endsWith('nbhub-data')).toBe(true);
    expect(Object.isFrozen(c.api)).toBe(true);
  });
  it('reads NBHUB_* variables by key path, converted by type', () => {
    const c = loadConfig({ env: { NBHUB_PORT: '9001', NBHUB_LIFECYCLE_STOP_RUNTIMES_ON_SHUTDOWN: 'true', NBHUB_PROFILES: '{"r":{"command":["R"]}}' } });
    expect(c.port).toBe(9001);
    expect(c.lifecycle.stop_runtimes_on_shutdown).toBe(true);
    expect(c.profiles['r']?.command).toEqual(['R']);
    expect(c.profiles['r']?.start_timeout_seconds).toBe(60);
  });
  it('names the key of every bad value', () => {
    expect(() => loadConfig({ env: { NBHUB_PORT: 'eighty' } })).toThrow(/port: NBHUB_PORT="eighty" is not a number/);
    expect(() => loadConfig({ env: {}, overrides: { api: { slow_spawn_timeout_seconds: -1 } } })).toThrow(/api\.slow_spawn_timeout_seconds/);
    expect(() => loadConfig({ env: {}, overrides: { lifecycle: { grace: 1 } } })).toThrow(/lifecycle\.grace: unknown key/);
    expect(() => loadConfig({ env: {}, overrides: { database_url: 'mysql://x' } })).toThrow(/database_url: must be empty/);
  });
  it('reads logs.ship targets and names the key of a bad one', () => {
    const c = loadConfig({ env: { NBHUB_LOGS_SHIP_GELF: '[{"url":"udp://127.0.0.1:12201"},{"url":"tcp://[::1]:12201"}]', NBHUB_LOGS_SHIP_STREAMS: '["runtime","apps"]' } });
    expect(c.logs.ship.gelf).toEqual([
      { url: 'udp://127.0.0.1:12201', compression: 'gzip', chunk_size: 1420 },
      { url: 'tcp://[::1]:12201', compression: 'gzip', chunk_size: 1420 },
    ]);
    expect(c.logs.ship).toMatchObject({ streams: ['runtime', 'apps'], queue_lines: 10_000, loki: [] });
    expect(loadConfig({ env: {} }).logs.ship).toEqual({ gelf: [], loki: [], streams: ['runtime', 'apps', 'services', 'clusters', 'hub'], queue_lines: 10_000 });
    const loki = loadConfig({ env: {}, overrides: { logs: { ship: { loki: [{ url: 'https://loki.example/loki/api/v1/push', labels: { cluster: 'a' }, tenant: 't' }] } } } }).logs.ship.loki[0];
    expect(loki).toMatchObject({ url: 'https://loki.example/loki/api/v1/push', labels: { cluster: 'a' }, tenant: 't', batch_lines: 1000, flush_seconds: 1, username: '' });

    const bad = (ship: Record<string, unknown>) => () => loadConfig({ env: {}, overrides: { logs: { ship } } });
    expect(bad({ gelf: [{ url: 'http://graylog:12201' }] })).toThrow(/logs\.ship\.gelf\.0\.url: must be udp:\/\/host:port or tcp:\/\/host:port/);
    expect(bad({ gelf: [{ url: 'udp://graylog' }] })).toThrow(/logs\.ship\.gelf\.0\.url: /);
    expect(bad({ gelf: [{ url: 'udp://graylog:1', chunk_size: 9000 }] })).toThrow(/logs\.ship\.gelf\.0\.chunk_size: /);
    expect(bad({ gelf: [{ url: 'udp://graylog:1', compression: 'lz4' }] })).toThrow(/logs\.ship\.gelf\.0\.compression: /);
    expect(bad({ loki: [{ url: 'http://loki:3100/api/push' }] })).toThrow(/logs\.ship\.loki\.0\.url: must be http\(s\):\/\/host\[:port\]\/…\/loki\/api\/v1\/push/);
    expect(bad({ loki: [{ url: 'http://me:secret@loki:3100/loki/api/v1/push' }] })).toThrow(/logs\.ship\.loki\.0\.url: /);
    expect(bad({ loki: [{ url: 'http://loki:3100/loki/api/v1/push', labels: { user: 'x' } }] })).toThrow(/logs\.ship\.loki\.0\.labels\.user: is set on every line/);
    expect(bad({ loki: [{ url: 'http://loki:3100/loki/api/v1/push', password: 'p' }] })).toThrow(/logs\.ship\.loki\.0\.password: a password needs a username/);
    expect(bad({ streams: ['kernels'] })).toThrow(/logs\.ship\.streams\.0: /);
    expect(bad({ queue_lines: 0 })).toThrow(/logs\.ship\.queue_lines: /);
    expect(bad({ gelf: [{ url: 'udp://graylog:1', level: 3 }] })).toThrow(/logs\.ship\.gelf\.0\.level: unknown key/);
  });
  it('names the culling key of every bad value, per-profile overrides included', () => {
    const bad = (overrides: Record<string, unknown>) => () => loadConfig({ env: {}, overrides });
    expect(bad({ culling: { idle_timeout_seconds: -1 } })).toThrow(/culling\.idle_timeout_seconds: /);
    expect(bad({ culling: { every_seconds: 0 } })).toThrow(/culling\.every_seconds: /);
    expect(bad({ culling: { busy_cpu_cores: 0 } })).toThrow(/culling\.busy_cpu_cores: /);
    expect(bad({ culling: { spare_busy: 'yes' } })).toThrow(/culling\.spare_busy: /);
    expect(bad({ culling: { exempt_users: ['Not A Name'] } })).toThrow(/culling\.exempt_users\.0: user names/);
    expect(bad({ culling: { idle_seconds: 5 } })).toThrow(/culling\.idle_seconds: unknown key/);
    expect(bad({ profiles: { big: { culling: { max_age_seconds: -5 } } } })).toThrow(/profiles\.big\.culling\.max_age_seconds: /);
    expect(bad({ profiles: { big: { culling: { every_seconds: 5 } } } })).toThrow(/profiles\.big\.culling\.every_seconds: unknown key/);
    // A timeout shorter than two monitoring intervals could stop a busy runtime between two looks.
    expect(bad({ culling: { idle_timeout_seconds: 15 } })).toThrow(/culling\.idle_timeout_seconds: must be 0 \(off\) or at least 20/);
    expect(bad({ monitoring: { interval_seconds: 1 }, culling: { idle_timeout_seconds: 15, kernel_idle_timeout_seconds: 1 } })).toThrow(/culling\.kernel_idle_timeout_seconds: must be 0 \(off\) or at least 2/);
    expect(bad({ profiles: { quick: { culling: { idle_timeout_seconds: 5 } } } })).toThrow(/profiles\.quick\.culling\.idle_timeout_seconds: must be 0/);
    // A warning no shorter than the timeout would warn from the last activity on.
    // Only an explicit warn_seconds at or above a timeout is refused, naming both keys.
    expect(bad({ culling: { idle_timeout_seconds: 600, warn_seconds: 600 } })).toThrow(/culling\.warn_seconds: must be less than culling\.idle_timeout_seconds \(600\).*it is 600/);
    expect(bad({ culling: { idle_timeout_seconds: 300, warn_seconds: 300 } })).toThrow(/culling\.warn_seconds: must be less than culling\.idle_timeout_seconds \(300\)/);
    expect(bad({ culling: { warn_seconds: 120 }, profiles: { quick: { culling: { idle_timeout_seconds: 120 } } } })).toThrow(/culling\.warn_seconds: must be less than profiles\.quick\.culling\.idle_timeout_seconds \(120\)/);
    expect(loadConfig({ env: {}, overrides: { culling: { idle_timeout_seconds: 60, warn_seconds: 59 }, profiles: { off: { culling: { enabled: false, idle_timeout_seconds: 30 } }, never: { culling: { idle_timeout_seconds: 0 } } } } }).culling.warn_seconds).toBe(59);
    expect(loadConfig({ env: {}, overrides: { culling: { enabled: false, idle_timeout_seconds: 60 } } }).culling.enabled).toBe(false);
    // Activity is flushed and gathered every interval: 0 would spin.
    expect(bad({ monitoring: { interval_seconds: 0 } })).toThrow(/monitoring\.interval_seconds: /);
    expect(bad({ monitoring: { interval_seconds: 0.5 } })).toThrow(/monitoring\.interval_seconds: /);
    expect(() => loadConfig({ env: { NBHUB_CULLING_MAX_AGE_SECONDS: 'soon' } })).toThrow(/culling\.max_age_seconds: NBHUB_CULLING_MAX_AGE_SECONDS="soon" is not a number/);
    expect(loadConfig({ env: { NBHUB_CULLING_EXEMPT_USERS: '["root"]', NBHUB_CULLING_SPARE_BUSY: 'false' } }).culling).toMatchObject({ exempt_users: ['root'], spare_busy: false });
  });
  it('accepts short idle timeouts without ceremony: the warning lead derives from each timeout unless set', () => {
    for (const timeout of [60, 120, 300]) {
      const c = loadConfig({ env: {}, overrides: { culling: { idle_timeout_seconds: timeout }, profiles: { quick: { culling: { idle_timeout_seconds: timeout / 2 } } } } });
      const policy = policies(c.culling, c.profiles);
      expect(policy('u', 'default')).toMatchObject({ idleTimeoutMs: timeout * 1000, warnMs: (timeout / 4) * 1000 });
      expect(policy('u', 'quick')).toMatchObject({ idleTimeoutMs: (timeout / 2) * 1000, warnMs: (timeout / 8) * 1000 });
    }
    // The lead is at most the old default; an explicit one is used as set.
    const long = loadConfig({ env: {} });
    expect(policies(long.culling, long.profiles)('u', 'default').warnMs).toBe(300_000);
    const set = loadConfig({ env: { NBHUB_CULLING_IDLE_TIMEOUT_SECONDS: '120', NBHUB_CULLING_WARN_SECONDS: '100' } });
    expect(policies(set.culling, set.profiles)('u', 'default').warnMs).toBe(100_000);
    expect(() => loadConfig({ env: { NBHUB_CULLING_IDLE_TIMEOUT_SECONDS: '120', NBHUB_CULLING_WARN_SECONDS: '120' } })).toThrow(/culling\.warn_seconds: must be less than culling\.idle_timeout_seconds \(120\)/);
  });
  it('reads named apps of a profile with their defaults, and names the key of a bad one', () => {
    const c = loadConfig({ env: {}, overrides: { profiles: { lab: { apps: { board: { command: ['streamlit', 'run', '--server.port', '{port}'] } } } } } });
    expect(c.profiles['lab']?.apps['board']).toEqual({
      command: ['streamlit', 'run', '--server.port', '{port}'], environment: {}, readiness_path: '/', timeout_seconds: 30, strip_prefix: true, title: '', icon: '',
    });
    const bad = (apps: Record<string, unknown>) => () => loadConfig({ env: {}, overrides: { profiles: { lab: { apps } } } });
    expect(bad({ Board: { command: ['x'] } })).toThrow(/profiles\.lab\.apps\.Board: app names: lower-case letters, digits and -/);
    expect(bad({ b_1: { command: ['x'] } })).toThrow(/profiles\.lab\.apps\.b_1: app names/);
    expect(bad({ board: { command: [] } })).toThrow(/profiles\.lab\.apps\.board\.command: give the command line/);
    expect(bad({ board: { command: ['x'], timeout_seconds: 0 } })).toThrow(/profiles\.lab\.apps\.board\.timeout_seconds/);
    expect(bad({ board: { command: ['x'], readiness_path: 'health' } })).toThrow(/profiles\.lab\.apps\.board\.readiness_path: must start with a single \//);
    expect(bad({ board: { command: ['x'], icon: 'javascript:alert(1)' } })).toThrow(/profiles\.lab\.apps\.board\.icon: must be empty/);
    expect(bad({ board: { command: ['x'], port: 80 } })).toThrow(/profiles\.lab\.apps\.board\.port: unknown key/);
  });
  it('reads auth.roles and refuses unknown scope names at start-up, naming them', () => {
    const c = loadConfig({ env: {}, overrides: { auth: { roles: [{ name: 'leads', scopes: ['servers!group=physics'], groups: ['leads'] }] } } });
    expect(c.auth.roles[0]).toMatchObject({ name: 'leads', users: [], groups: ['leads'], services: [] });
    expect(() => loadConfig({ env: {}, overrides: { auth: { roles: [{ name: 'bad', scopes: ['read:users', 'read:everything'] }] } } })).toThrow(/unknown scopes in role bad: read:everything/);
    expect(() => loadConfig({ env: {}, overrides: { profiles: { gpu: { groups: 'physics' } } } })).toThrow(/profiles\.gpu\.groups/);
  });

  it('keeps docs/configuration.md generated from the schema', () => {
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(configReference());
  });
});

describe('services config', () => {
  const load = (services: unknown) => () => loadConfig({ env: {}, overrides: { services } });
  it("takes JupyterHub's keys, with its defaults", () => {
    const c = loadConfig({ env: {}, overrides: { services: [{ name: 'board', url: 'http://127.0.0.1:9000', api_token: 'a'.repeat(16), oauth_no_confirm: true }, { name: 'cull', command: ['python3', 'cull.py'], admin: true }] } });
    expect(c.services[0]).toMatchObject({ name: 'board', admin: false, display: true, info: {}, environment: {} });
    expect(c.services[1]).toMatchObject({ name: 'cull', admin: true, command: ['python3', 'cull.py'] });
    expect(loadConfig({ env: { NBHUB_SERVICES: '[{"name":"only-token","api_token":"0123456789abcdef"}]' } }).services[0]?.name).toBe('only-token');
    expect(loadConfig({ env: {} }).services).toEqual([]);
  });
  it('names the key of every bad service', () => {
    expect(load([{ name: 'a', url: 'http://x' }, { name: 'a', url: 'http://y' }])).toThrow(/services\.1\.name: duplicate service name a \(also services\.0\.name\)/);
    expect(load([{ name: 'a', url: 'http://10.0.0.1:1', command: ['x'] }])).toThrow(/services\.0\.url: service a: a managed service .* loopback/);
    expect(load([{ name: 'a', url: 'http://127.0.0.1:1', command: ['x'] }])).not.toThrow();
    expect(load([{ name: 'Bad Name', url: 'http://x' }])).toThrow(/services\.0\.name: service names/);
    expect(load([{ name: 'a', url: 'ftp://x' }])).toThrow(/services\.0\.url: must be an http/);
    expect(load([{ name: 'a', url: 'http://u:p@x' }])).toThrow(/services\.0\.url: must be an http/);
    expect(load([{ name: 'a', api_token: 'short' }])).toThrow(/services\.0\.api_token: must be at least 16 characters/);
    expect(load([{ name: 'a', api_token: 'x'.repeat(20) }, { name: 'b', api_token: 'x'.repeat(20) }])).toThrow(/services\.1\.api_token: same token as services\.0\.api_token/);
    expect(load([{ name: 'a', url: 'http://x', cwd: '/tmp' }])).toThrow(/services\.0\.cwd: unknown key/);
    expect(load([{ name: 'a', command: [] }])).toThrow(/services\.0\.command: /);
  });
  it('never repeats a token in a message', () => {
    const secret = 'x'.repeat(20);
    expect(load([{ name: 'a', api_token: secret }, { name: 'b', api_token: secret }])).not.toThrow(new RegExp(secret));
  });
});
