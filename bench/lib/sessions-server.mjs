// Stands in for many Jupyter servers' /api/sessions at once, for bench/monitoring: the hub's sampler asks
// every runtime which notebooks its kernels serve. Usage: node sessions-server.mjs PORT FILE
// FILE: {"u1": ["<kernel id>", ...], ...}; GET /user/<name>/api/sessions answers that runtime's sessions
// (one notebook per kernel) as Jupyter Notebook 6 shapes them; anything else is 404.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
const kernels = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const bodies = new Map();
const stamp = new Date().toISOString();
for (const [user, ids] of Object.entries(kernels)) {
  const sessions = ids.map((id, k) => {
    const path = `work/analysis-${k + 1}.ipynb`;
    return {
      id: `5e55${id.slice(4)}`,
      path,
      name: `analysis-${k + 1}.ipynb`,
      type: 'notebook',
      kernel: { id, name: 'python3', last_activity: stamp, execution_state: 'idle', connections: 1 },
      notebook: { path, name: `analysis-${k + 1}.ipynb` },
    };
  });
  bodies.set(`/user/${user}/api/sessions`, Buffer.from(JSON.stringify(sessions)));
}

const server = createServer((req, res) => {
  req.resume();
  const body = bodies.get((req.url ?? '').split('?')[0]);
  if (!body) {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"message":"not found"}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
// The sampler asks every runtime at once: 1,000 connections arrive together.
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => console.log(`sessions server on 127.0.0.1:${port}, ${bodies.size} runtimes`));
process.on('SIGTERM', () => process.exit(0));
