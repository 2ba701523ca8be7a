import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { type Api, createApi } from '../kube/api.js';

/**
 * A real control plane for one test file (scripts/kube-local.sh with a temporary --dir): etcd,
 * kube-apiserver, kube-controller-manager, kube-scheduler and, unless `node: false`, the process kubelet
 * (the node stand-in, test/kube/). Share one per file (`beforeAll`), stop it in `afterAll`.
 */
const SCRIPT = fileURLToPath(new URL('../../scripts/kube-local.sh', import.meta.url));
const run = promisify(execFile);

export interface TestCluster {
  dir: string;
  kubeconfig: string;
  kc: KubeConfig;
  /** A small REST client with the admin credentials (get/post/patch/delete/watch). */
  api: Api;
  apiPort: number;
  /** The node's name ('node-1'), when there is one. */
  node: string | undefined;
  /** Stops and starts kube-apiserver on the same port and store (watches break, as on a real restart). */
  restartApiServer(): Promise<void>;
  /** Stops the process kubelet: SIGTERM ends its pods' processes; `kill` (SIGKILL) leaves them running, as on a lost node. */
  stopNode(o?: { kill?: boolean }): Promise<void>;
  startNode(): Promise<void>;
  /** The control plane's and the node's logs, for failure messages. */
  logs(name: 'process-kubelet' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'etcd'): string;
  /** Stops everything (pods included) and removes the directory. */
  stop(): Promise<void>;
}

export interface TestClusterOptions {
  node?: boolean | { cpu?: string; memory?: string; pods?: number; name?: string };
  /** Extra kube-apiserver flags, e.g. ['--watch-cache=false']. */
  apiserverFlags?: string[];
  /** The process kubelet's image "pull" time and restart back-off base (a kubelet's is 10 s). */
  pullDelayMs?: number;
  backoffBaseMs?: number;
}

/** Why the control plane cannot run here (its binaries are not built), or null. For `describe.skipIf`. */
export const kubeMissing = (): string | null => {
  let bin: string;
  try {
    bin = execFileSync(SCRIPT, ['bin'], { encoding: 'utf8' }).trim();
  } catch (err) {
    return `scripts/kube-local.sh failed: ${(err as Error).message}`;
  }
  const missing = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'].filter((b) => !existsSync(join(bin, b)));
  return missing.length ? `control-plane binaries not built (${missing.join(', ')} missing in ${bin}): run scripts/kube-local.sh build` : null;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const startTestCluster = async (o: TestClusterOptions = {}): Promise<TestCluster> => {
  const dir = mkdtempSync(join(tmpdir(), 'nbhub-kube-'));
  const node = o.node === false ? undefined : { name: 'node-1', ...(typeof o.node === 'object' ? o.node : {}) };
  const args = ['--dir', dir];
  if (!node) args.push('--no-node');
  else {
    args.push('--node', node.name);
    if (node.cpu) args.push('--cpu', node.cpu);
    if (node.memory) args.push('--memory', node.memory);
    if (node.pods) args.push('--pods', String(node.pods));
  }
  const env = {
    ...process.env,
    NBHUB_KUBE_APISERVER_FLAGS: (o.apiserverFlags ?? []).join(' '),
    ...(o.pullDelayMs !== undefined ? { NBHUB_KUBELET_PULL_DELAY_MS: String(o.pullDelayMs) } : {}),
    ...(o.backoffBaseMs !== undefined ? { NBHUB_KUBELET_BACKOFF_BASE_MS: String(o.backoffBaseMs) } : {}),
  };
  const script = (cmd: string, extra: string[] = []) => run(SCRIPT, [cmd, '--dir', dir, ...extra], { env, maxBuffer: 1 << 24 });
  const logs = (name: string) => {
    try {
      return readFileSync(join(dir, 'logs', `${name}.log`), 'utf8');
    } catch {
      return '';
    }
  };
  const stop = async () => {
    await script('down').catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await run(SCRIPT, ['up', ...args], { env, maxBuffer: 1 << 24 });
    const kubeconfig = join(dir, 'kubeconfig');
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const api = await createApi(kc);
    const waitNodeReady = async () => {
      if (!node) return;
      for (let i = 0; i < 300; i++) {
        const n = await api.find<{ status?: { conditions?: { type: string; status: string }[] } }>(`/api/v1/nodes/${node.name}`).catch(() => undefined);
        if (n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
        await sleep(100);
      }
      throw new Error(`node ${node.name} did not become Ready:\n${logs('process-kubelet').slice(-3000)}`);
    };
    // Pods cannot be created before the controller manager made the namespace's default ServiceAccount.
    for (let i = 0; ; i++) {
      if (await api.find('/api/v1/namespaces/default/serviceaccounts/default').catch(() => undefined)) break;
      if (i > 300) throw new Error(`no default ServiceAccount after 30 s:\n${logs('kube-controller-manager').slice(-3000)}`);
      await sleep(100);
    }
    await waitNodeReady();
    return {
      dir,
      kubeconfig,
      kc,
      api,
      apiPort: Number(readFileSync(join(dir, 'api-port'), 'utf8')),
      node: node?.name,
      restartApiServer: async () => {
        await script('restart-apiserver');
      },
      stopNode: async (s = {}) => {
        await script('node-stop', s.kill ? ['--kill'] : []);
      },
      startNode: async () => {
        const since = Date.now();
        await script('node-start');
        // The node object may still say Ready from before: wait for the new process's first lease renewal.
        for (let i = 0; ; i++) {
          const lease = await api.find<{ spec?: { renewTime?: string } }>(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node?.name}`).catch(() => undefined);
          if (lease?.spec?.renewTime && Date.parse(lease.spec.renewTime) >= since) break;
          if (i > 300) throw new Error(`the process kubelet did not come back:\n${logs('process-kubelet').slice(-3000)}`);
          await sleep(100);
        }
        await waitNodeReady();
      },
      logs,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
};
