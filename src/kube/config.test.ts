import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.js';
import { loadKube } from './config.js';

const dir = mkdtempSync(join(tmpdir(), 'nbhub-kubeconfig-'));
const kubeconfig = (namespace?: string): string => {
  const file = join(dir, `kc-${namespace ?? 'none'}`);
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: 'https://127.0.0.1:6443'}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: x, context: {cluster: c, user: u${namespace ? `, namespace: ${namespace}` : ''}}}]
current-context: x
`,
  );
  return file;
};

describe('loadKube', () => {
  it('takes the namespace from the key, else the context, else default', () => {
    expect(loadKube({ kubeconfig: kubeconfig('ctx'), namespace: 'mine' }, { env: {} }).namespace).toBe('mine');
    expect(loadKube({ kubeconfig: kubeconfig('ctx'), namespace: '' }, { env: {} }).namespace).toBe('ctx');
    const t = loadKube({ kubeconfig: kubeconfig(), namespace: '' }, { env: {} });
    expect(t.namespace).toBe('default');
    expect(t.server).toBe('https://127.0.0.1:6443');
  });

  it('stops with a message naming the key when the kubeconfig cannot be read', () => {
    expect(() => loadKube({ kubeconfig: join(dir, 'missing'), namespace: '' }, { env: {} })).toThrow(ConfigError);
    expect(() => loadKube({ kubeconfig: join(dir, 'missing'), namespace: '' }, { env: {} })).toThrow(/kubernetes\.kubeconfig: cannot read .*missing/);
  });

  it('in cluster: needs the service account, and takes the pod\'s namespace', () => {
    expect(() => loadKube({ kubeconfig: '', namespace: '' }, { env: {} })).toThrow(/kubernetes\.kubeconfig is empty .*KUBERNETES_SERVICE_HOST/);
    const sa = mkdtempSync(join(tmpdir(), 'nbhub-sa-'));
    expect(() => loadKube({ kubeconfig: '', namespace: '' }, { env: { KUBERNETES_SERVICE_HOST: '10.0.0.1' }, serviceAccountDir: sa })).toThrow(/service account token/);
  });
});
