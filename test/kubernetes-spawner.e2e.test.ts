import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { spawnerContract } from '../src/spawners/spawner.contract.js';
import { kubeMissing, startTestCluster } from './helpers/kube.js';
import { kubeSpawner, podProfile } from './helpers/kube-spawner.js';

/**
 * The spawner contract (src/spawners/spawner.contract.ts) against the Kubernetes spawner on the real control
 * plane (scripts/kube-local.sh), pods run by the process kubelet (the node stand-in). Each runtime is a pod
 * with its own loopback IP, so the address-race cases of local ports do not apply (no listener/lostRace).
 */
const missing = kubeMissing();

// Python one-liners as containers: busybox's image stand-in runs them as given, with the node's PATH.
const OK = [
  'python3',
  '-c',
  "import http.server, sys\nprint('hello from the runtime', flush=True)\nclass H(http.server.BaseHTTPRequestHandler):\n    def do_GET(self):\n        self.send_response(200); self.end_headers(); self.wfile.write(b'ok')\n    def log_message(self, *a): pass\nhttp.server.HTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()",
  '{ip}',
  '{port}',
];
const CRASH = ['sh', '-c', 'echo crashing now; exit 7'];
const LATE = ['sh', '-c', `sleep 1; exec "$@"`, 'late', ...OK];

if (missing) {
  // A skipped describe's body still runs at collection: the cluster must not be started then.
  describe.skip(`Spawner contract: kubernetes (skipped: ${missing})`, () => it('needs the control plane', () => undefined));
} else {
  spawnerContract('kubernetes', async () => {
    const cluster = await startTestCluster();
    const dataDir = mkdtempSync(join(tmpdir(), 'nbhub-kspawn-'));
    const opened: Array<() => void> = [];
    const profiles = [podProfile('ok', OK), podProfile('crash', CRASH), podProfile('late', LATE)];
    return {
      make: () => {
        const s = kubeSpawner(cluster.kc, { namespace: 'default', dataDir, profiles });
        opened.push(s.close);
        return s.spawner;
      },
      cleanup: async () => {
        opened.forEach((c) => c());
        await cluster.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
}
