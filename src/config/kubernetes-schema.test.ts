import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('config: the spawner kind and kubernetes.*', () => {
  it('runs runtimes locally unless told otherwise', () => {
    const c = loadConfig({ env: {} });
    expect(c.spawner.kind).toBe('local');
    expect(c.kubernetes).toMatchObject({ kubeconfig: '', namespace: '', image: 'quay.io/jupyter/base-notebook:2026-11-30', port: 8888, delete_claims_with_user: true });
  });

  it('takes `spawner: kubernetes` (the short spelling) from the file and from NBHUB_SPAWNER, beside the other spawner keys', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nbhub-cfg-'));
    const file = join(dir, 'c.yaml');
    writeFileSync(file, 'spawner: kubernetes\nkubernetes:\n  namespace: notebooks\n');
    const fromFile = loadConfig({ file, env: { NBHUB_SPAWNER_DEFAULT_PROFILE: 'lab' } });
    expect(fromFile.spawner).toMatchObject({ kind: 'kubernetes', default_profile: 'lab' });
    expect(fromFile.kubernetes.namespace).toBe('notebooks');
    expect(loadConfig({ env: { NBHUB_SPAWNER: 'kubernetes' } }).spawner.kind).toBe('kubernetes');
    expect(loadConfig({ env: { NBHUB_SPAWNER_KIND: 'kubernetes' } }).spawner.kind).toBe('kubernetes');
  });

  it('names the key of a wrong kind or namespace', () => {
    expect(() => loadConfig({ env: { NBHUB_SPAWNER: 'docker' } })).toThrow(/spawner\.kind/);
    expect(() => loadConfig({ env: { NBHUB_KUBERNETES_NAMESPACE: 'Not_Valid' } })).toThrow(/kubernetes\.namespace: a Kubernetes namespace name/);
  });
});

describe('config: profiles.<name>.kubernetes', () => {
  it('takes a profile\'s pod settings and names the key of a wrong quantity', () => {
    const c = loadConfig({ env: { NBHUB_PROFILES: JSON.stringify({ gpu: { kubernetes: { cpu_limit: '2', memory_request: '512Mi', extra_resources: { 'nvidia.com/gpu': '1' } } } }) } });
    expect(c.profiles['gpu']?.kubernetes).toMatchObject({ cpu_limit: '2', memory_request: '512Mi', extra_resources: { 'nvidia.com/gpu': '1' }, tolerations: [] });
    expect(() => loadConfig({ env: { NBHUB_PROFILES: JSON.stringify({ p: { kubernetes: { cpu_limit: 'two' } } }) } })).toThrow(/profiles\.p\.kubernetes\.cpu_limit: a Kubernetes quantity/);
    expect(() => loadConfig({ env: { NBHUB_PROFILES: JSON.stringify({ p: { kubernetes: { cpus: '2' } } }) } })).toThrow(/cpus/);
  });
});
