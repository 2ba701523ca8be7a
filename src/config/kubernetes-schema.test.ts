import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './load.js';

describe('config: the spawner kind and kubernetes.*', () => {
  it('runs runtimes locally unless told otherwise', () => {
    const c = loadConfig({ env: {} });
    expect(c.spawner.kind).toBe('local');
    expect(c.kubernetes).toEqual({ kubeconfig: '', namespace: '' });
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
