// The project's control plane for benches (scripts/kube-local.sh), with what the Kubernetes benches need
// around it: an audit log (so API requests are counted on the API server's side, per client), and a
// kubeconfig of its own for the hub (its own client certificate, so its requests are told apart from the
// process kubelet's, the controllers' and the bench's).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { atCleanup, benchEnv, REPO, tmpDir } from './proc.mjs';

const SCRIPT = join(REPO, 'scripts', 'kube-local.sh');

/** Where kube-local.sh keeps its binaries (the key it computes); missing binaries skip the bench with a note. */
export const kubeBinDir = () => {
  const mod = join(REPO, 'scripts', 'kube-local');
  const key = createHash('sha256')
    .update(Buffer.concat(['go.mod', 'go.sum', 'etcd/main.go'].map((f) => readFileSync(join(mod, f)))))
    .digest('hex')
    .slice(0, 16);
  return process.env['NBHUB_KUBE_BIN'] ?? join(process.env['XDG_DATA_HOME'] ?? join(homedir(), '.local/share'), 'nbhub/kube-bin', key);
};
export const haveKubeBinaries = () => ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'].every((b) => existsSync(join(kubeBinDir(), b)));
export const haveProcessKubelet = () => existsSync(join(REPO, 'test', 'kube', 'process-kubelet.ts'));

const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
- level: Metadata
`;

/**
 * Starts a cluster (with the process kubelet when `node`), audit log on. Returns { dir, kubeconfig,
 * hubKubeconfig, hubUser, audit(), down() }; it is stopped at the bench's clean-up too.
 */
export const startCluster = ({ node = true, cpu = 64, memory = '256Gi', pods = 250 } = {}) => {
  const dir = tmpDir('kube');
  writeFileSync(join(dir, 'audit-policy.yaml'), AUDIT_POLICY);
  const flags = `--audit-policy-file=${join(dir, 'audit-policy.yaml')} --audit-log-path=${join(dir, 'audit.log')} --audit-log-maxsize=2000 --audit-log-format=json`;
  const args = ['up', '--dir', dir, '--cpu', String(cpu), '--memory', memory, '--pods', String(pods), ...(node ? [] : ['--no-node'])];
  let stopped = false;
  const down = () => {
    if (stopped) return;
    stopped = true;
    execFileSync(SCRIPT, ['down', '--dir', dir], { stdio: 'ignore' });
  };
  atCleanup(down);
  const out = execFileSync(SCRIPT, args, { env: benchEnv({ NBHUB_KUBE_APISERVER_FLAGS: flags }), encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const kubeconfig = out.trim().split('\n').pop();
  // The hub's own identity: CN nbhub-bench-hub in system:masters (as the chart's hub would have its own account).
  const hubUser = 'nbhub-bench-hub';
  const pki = join(dir, 'pki');
  execFileSync('sh', ['-c', `
    openssl req -newkey rsa:2048 -nodes -keyout hub.key -out hub.csr -subj "/O=system:masters/CN=${hubUser}" 2>/dev/null &&
    printf 'extendedKeyUsage=clientAuth\\n' > hub.ext &&
    openssl x509 -req -in hub.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out hub.crt -days 30 -extfile hub.ext 2>/dev/null`], { cwd: pki });
  const hubKubeconfig = join(dir, 'hub.kubeconfig');
  writeFileSync(
    hubKubeconfig,
    readFileSync(kubeconfig, 'utf8').replace(`${pki}/admin.crt`, `${pki}/hub.crt`).replace(`${pki}/admin.key`, `${pki}/hub.key`),
  );
  const auditFile = join(dir, 'audit.log');
  /** The audit events so far (one per request: the last stage seen of each auditID). */
  const audit = () => {
    const byId = new Map();
    let text = '';
    try {
      text = readFileSync(auditFile, 'utf8');
    } catch {
      return [];
    }
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line);
        byId.set(e.auditID, e);
      } catch {
        // a line being written
      }
    }
    return [...byId.values()];
  };
  return { dir, kubeconfig, hubKubeconfig, hubUser, audit, down };
};

/** Requests by one user between two audit snapshots (sets of auditIDs), as { total, byVerbResource }. */
export const requestsBy = (events, user, exclude = new Set()) => {
  const byVerbResource = {};
  let total = 0;
  for (const e of events) {
    if (exclude.has(e.auditID) || e.user?.username !== user) continue;
    const key = `${e.verb} ${e.objectRef?.resource ?? e.requestURI}${e.objectRef?.subresource ? '/' + e.objectRef.subresource : ''}`;
    byVerbResource[key] = (byVerbResource[key] ?? 0) + 1;
    total += 1;
  }
  return { total, byVerbResource };
};
