#!/usr/bin/env node
// Runs the benchmarks one after the other, each in its own process (it cleans up what it started), and
// prints a summary of every target at the end.
//   node bench/run.js                  all of them (npm run bench)
//   node bench/run.js proxy-http api   some of them
// Each bench's `BENCH_RESULT {...}` lines are collected for the summary (shown as they come with BENCH_RAW=1).
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = ['proxy-http', 'proxy-ws', 'app-proxy', 'kernel-rtt', 'spawn', 'api', 'memory', 'monitoring', 'culling', 'executions', 'agent', 'agent-backlog', 'insides', 'log-shipping', 'cluster-ui', 'spark-submit', 'admin-page', 'users-scopes', 'login', 'kube-spawn'];
const here = dirname(fileURLToPath(import.meta.url));
const chosen = process.argv.slice(2);
for (const c of chosen) {
  if (!BENCHES.includes(c)) {
    console.error(`unknown bench ${c}; known: ${BENCHES.join(', ')}`);
    process.exit(2);
  }
}
const todo = chosen.length ? chosen : BENCHES;

const runOne = (name) =>
  new Promise((resolve) => {
    const results = [];
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(here, `${name}.mjs`)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let buf = '';
    child.stdout.on('data', (chunk) => {
      buf += chunk;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('BENCH_RESULT ')) {
          try {
            results.push(JSON.parse(line.slice('BENCH_RESULT '.length)));
          } catch {
            // not ours
          }
          if (process.env['BENCH_RAW'] !== '1') continue;
        }
        process.stdout.write(line + '\n');
      }
    });
    let stopping = false;
    const forward = (sig) => {
      if (stopping) return;
      stopping = true;
      child.kill(sig); // the bench cleans up its own processes on SIGINT/SIGTERM
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      if (buf) process.stdout.write(buf + '\n');
      resolve({ name, code, signal, results, seconds: (Date.now() - t0) / 1000 });
    });
  });

const all = [];
for (const name of todo) {
  const r = await runOne(name);
  all.push(r);
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM') break;
}

console.log('\n=== summary ===');
const rows = [['bench', 'target', 'measured', 'wanted', 'verdict']];
for (const r of all) {
  if (r.code !== 0) rows.push([r.name, '(bench failed)', `exit ${r.code ?? r.signal}`, '', 'ERROR']);
  for (const x of r.results) rows.push([x.bench, x.target, x.measured, x.wanted, x.verdict]);
}
const widths = rows[0].map((_, i) => Math.min(90, Math.max(...rows.map((row) => String(row[i]).length))));
for (const [i, row] of rows.entries()) {
  console.log(row.map((c, j) => String(c).padEnd(widths[j])).join('  '));
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}
console.log(`\n${all.map((r) => `${r.name} ${r.seconds.toFixed(0)} s`).join(', ')}`);
process.exit(all.some((r) => r.code !== 0) ? 1 : 0);
