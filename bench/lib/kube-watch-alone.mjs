// The shared watch of src/kube alone, in a process of its own (bench/kube-spawn measures its RSS and CPU):
// the pods and the events of one namespace, as the hub's spawner opens them. Args: kubeconfig namespace.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './proc.mjs';

const [kubeconfig, namespace] = process.argv.slice(2);
const dist = (p) => import(pathToFileURL(join(REPO, 'dist', p)).href);
const { loadKube } = await dist('kube/config.js');
const { RequestCounter } = await dist('kube/counter.js');
const { watchPods, watchEvents } = await dist('kube/watches.js');
const logger = { debug() {}, info() {}, warn: (o, m) => console.warn(m, JSON.stringify(o)), error: (o, m) => console.error(m, JSON.stringify(o)) };
const { kubeConfig } = loadKube({ kubeconfig, namespace }, { env: process.env });
const counter = new RequestCounter();
const pods = watchPods({ kubeConfig, namespace, counter, logger, podLabels: { 'app.kubernetes.io/managed-by': 'nbhub' } });
const events = watchEvents({ kubeConfig, namespace, counter, logger, eventFields: 'involvedObject.kind=Pod' });
let changes = 0;
pods.on(() => (changes += 1));
events.on(() => (changes += 1));
await Promise.all([pods.synced(), events.synced()]);
console.log('synced');
setInterval(() => console.log(JSON.stringify({ pods: pods.size, changes, requests: counter.snapshot() })), 10_000);
