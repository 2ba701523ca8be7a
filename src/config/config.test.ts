import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';
import { configReference } from './reference.js';

describe('config', () => {
  it('has the defaults of the contract', () => {
    const c = loadConfig({ env: {} });
    expect(c).toMatchObject({ ip: '127.0.0.1', port: 8000, database_url: '' });
    expect(c.monitoring).toMatchObject({ interval_seconds: 10, executions: true, embedded_agent: true });
    expect(c.culling).toEqual({ enabled: true, idle_timeout_seconds: 3600, every_seconds: 60 });
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
  it('keeps docs/configuration.md generated from the schema', () => {
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(configReference());
  });
});
