// bench/log-shipping: log lines/s from a runtime printing flat out, read by the hub (the log feed follows its
// file), without shipping and with shipping to a GELF UDP receiver in this process (a counter: it only counts
// datagrams); and the hub's CPU per 10,000 lines (utime + stime of the hub process from /proc/<pid>/stat, before
// and after). The paced runs hold the printer at a rate shipping carries whole. Last, the shipping alone: the
// GELF UDP sink of dist/ in this process sending BENCH_LOG_SINK_LINES lines to a socket that never reads (the
// kernel drops them), its CPU per 10,000 lines per compression, without the feed's or a receiver's share.
// Bounded: the printer stops after BENCH_LOG_LINES lines (2M) or BENCH_LOG_SECONDS seconds (10), whichever first.
// No target: figures to compare the cases of the same run (issue 18 asks for them, with and without shipping).
import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { cpuSecondsOf, waitQuiet } from './lib/cpu.mjs';
import { startHub } from './lib/hub.mjs';
import { benchEnv, REPO, runBench, sleep, tmpDir } from './lib/proc.mjs';
import { banner, fmt, info, table } from './lib/report.mjs';

const MAX_LINES = Number(process.env['BENCH_LOG_LINES'] ?? 2_000_000);
const MAX_SECONDS = Number(process.env['BENCH_LOG_SECONDS'] ?? 10);
const PACED_RATE = Number(process.env['BENCH_LOG_PACED_RATE'] ?? 20_000);
const PACED_SECONDS = Number(process.env['BENCH_LOG_PACED_SECONDS'] ?? 5);

// The printer: serves 200 (readiness), waits for `go` in its workspace, prints numbered ~64-byte lines (flat out,
// or `rate` lines/s in 10 ms steps), then writes `printed` with the count and the seconds it took.
const PRINTER = `
import os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
port = int(sys.argv[1]); max_lines = int(sys.argv[2]); max_s = float(sys.argv[3]); rate = float(sys.argv[4])
class H(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *a): pass
threading.Thread(target=ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever, daemon=True).start()
while not os.path.exists("go"): time.sleep(0.01)
out = sys.stdout; pad = "x" * 40; i = 0; t0 = time.monotonic()
if rate <= 0:
    while i < max_lines:
        for _ in range(1000):
            out.write(f"line {i:09d} {pad}\\n"); i += 1
        if time.monotonic() - t0 > max_s: break
else:
    step = rate / 100
    while i < max_lines and time.monotonic() - t0 < max_s:
        due = int((time.monotonic() - t0) * rate) + 1
        while i < min(due, max_lines):
            out.write(f"line {i:09d} {pad}\\n"); i += 1
        out.flush(); time.sleep(0.01)
out.flush()
with open("printed", "w") as f: f.write(f"{i} {time.monotonic() - t0:.3f}\\n")
threading.Event().wait()
`;

/** A GELF UDP receiver that only counts (this bench measures the hub, not a decoder). */
const counter = async () => {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 4 << 20 });
  let datagrams = 0;
  let bytes = 0;
  socket.on('message', (d) => {
    datagrams++;
    bytes += d.length;
  });
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  return { port: socket.address().port, get datagrams() { return datagrams; }, get bytes() { return bytes; }, close: () => new Promise((r) => socket.close(r)) };
};

const metricValue = (text, name, filter = () => true) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(name + '{') && filter(l))
    .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

const runCase = async ({ name, ship, compression = 'gzip', rate, seconds }) => {
  const script = join(tmpDir('printer'), 'printer.py');
  writeFileSync(script, PRINTER);
  const rx = ship ? await counter() : null;
  const hub = await startHub({
    name: `hub-${name.replace(/[^a-z0-9]+/gi, "-")}`,
    config: {
      profiles: { printer: { command: ['python3', script, '{port}', String(MAX_LINES), String(seconds), String(rate)], readiness_path: '', start_timeout_seconds: 60 } },
      // No rotation during the run: every byte printed stays in the file, so the hub's read position tells what it read.
      logs: { bytes_per_file: 1 << 30, bytes_per_server: 4 * 2 ** 30, ...(rx ? { ship: { gelf: [{ url: `udp://127.0.0.1:${rx.port}`, compression }], streams: ['runtime'] } } : {}) },
    },
  });
  try {
    await hub.startServer('admin', 'p', { profile: 'printer' });
    const dir = join(hub.dataDir, 'logs', 'admin', 'p');
    const file = join(dir, readdirSync(dir).find((n) => n.endsWith('-runtime.log')));
    const workspace = join(hub.dataDir, 'workspaces', 'admin', 'p');
    await waitQuiet();
    const cpu0 = cpuSecondsOf(hub.pid);
    const t0 = performance.now();
    writeFileSync(join(workspace, 'go'), '');
    const printedFile = join(workspace, 'printed');
    const read = () => Number(existsSync(file + '.pos') ? readFileSync(file + '.pos', 'utf8') : 0);
    for (;;) {
      if (existsSync(printedFile) && readFileSync(printedFile, 'utf8').endsWith('\n') && read() >= statSync(file).size) break;
      if (performance.now() - t0 > 120_000) throw new Error(`${name}: the hub did not read the whole file within 120 s (read ${read()} of ${statSync(file).size} bytes)`);
      await sleep(5);
    }
    const readSeconds = (performance.now() - t0) / 1000;
    const [lines, printSeconds] = readFileSync(printedFile, 'utf8').trim().split(' ').map(Number);
    // What is queued to ship goes out within a moment; the CPU it takes counts.
    let shipped = 0;
    let dropped = 0;
    if (rx) {
      const until = performance.now() + 5_000;
      for (;;) {
        const m = (await hub.api('GET', '/hub/metrics')).text;
        shipped = metricValue(m, 'nbhub_log_lines_shipped_total');
        dropped = metricValue(m, 'nbhub_log_lines_dropped_total');
        if (shipped + dropped >= lines || performance.now() > until) break;
        await sleep(50);
      }
    }
    const cpu = cpuSecondsOf(hub.pid) - cpu0;
    const received = rx?.datagrams ?? 0;
    await hub.stopServer('admin', 'p');
    return { name, lines, printSeconds, readSeconds, cpu, shipped, dropped, received };
  } finally {
    await hub.stop();
    await rx?.close();
  }
};

const SINK_LINES = Number(process.env['BENCH_LOG_SINK_LINES'] ?? 200_000);

/** CPU of this process per 10,000 lines through GelfUdpSink, by compression (a python socket that never reads is the target). */
const sinkAlone = async () => {
  const { GelfUdpSink } = await import(join(REPO, 'dist', 'logs', 'ship', 'gelf-udp.js'));
  const sinkProc = spawn('python3', ['-c', 'import socket,time\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(("127.0.0.1",0))\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)'], {
    env: benchEnv(),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise((resolve) => sinkProc.stdout.once('data', (d) => resolve(Number(String(d).trim()))));
    const line = (i) => ({ at: Date.now(), stream: 'runtime', user: 'alice', server: 'p', profile: 'printer', line: `line ${String(i).padStart(9, '0')} ${'x'.repeat(40)}` });
    const batch = [...Array(256).keys()].map(line);
    const rows = [];
    for (const compression of ['gzip', 'zlib', 'none']) {
      const sink = new GelfUdpSink({ host: '127.0.0.1', port, compression, chunkSize: 1420, source: { host: 'bench', hubInstance: 'bench:1' } });
      for (let i = 0; i < 20; i++) await sink.send(batch); // warm-up
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      let sent = 0;
      while (sent < SINK_LINES) {
        await sink.send(batch);
        sent += batch.length;
      }
      const c = process.cpuUsage(c0);
      const wall = (performance.now() - t0) / 1000;
      await sink.close();
      rows.push({ compression, sent, cpuMsPer10k: ((c.user + c.system) / 1000 / sent) * 10_000, linesPerS: sent / wall });
    }
    return rows;
  } finally {
    sinkProc.kill('SIGKILL');
  }
};

runBench(async () => {
  banner(
    'bench/log-shipping',
    `A Python runtime prints ~64-byte lines into its log file (flat out: up to ${fmt(MAX_LINES)} lines or ${MAX_SECONDS} s; paced: ${fmt(PACED_RATE)} lines/s for ${PACED_SECONDS} s). ` +
      'The hub follows the file (logs.bytes_per_file 1 GiB: no rotation during the run) and, when shipping, sends every runtime line to a GELF UDP receiver in this process ' +
      '(gzip, or none where said; default queue of 10,000 lines; the receiver only counts datagrams). Read rate: printed lines / time from "go" until the hub\'s read position reaches the end of the file. ' +
      'The feed writes its read position at most once a second, so the read time can be up to 1 s late (the read rate is a lower bound). ' +
      'Hub CPU: utime + stime of the hub process (/proc/<pid>/stat) from "go" until what it read is shipped or dropped.',
  );
  const paced = `paced ${fmt(PACED_RATE)}/s`;
  const cases = [
    { name: 'flat out, no shipping', ship: false, rate: 0, seconds: MAX_SECONDS },
    { name: 'flat out, GELF UDP gzip', ship: true, rate: 0, seconds: MAX_SECONDS },
    { name: `${paced}, no shipping`, ship: false, rate: PACED_RATE, seconds: PACED_SECONDS },
    { name: `${paced}, GELF UDP gzip`, ship: true, rate: PACED_RATE, seconds: PACED_SECONDS },
    { name: `${paced}, GELF UDP uncompressed`, ship: true, compression: 'none', rate: PACED_RATE, seconds: PACED_SECONDS },
  ];
  const results = [];
  for (const c of cases) {
    const r = await runCase(c);
    results.push(r);
    console.log(`${r.name}: ${fmt(r.lines)} lines printed in ${r.printSeconds} s, read by the hub in ${r.readSeconds.toFixed(2)} s; hub CPU ${r.cpu.toFixed(2)} s; shipped ${fmt(r.shipped)}, dropped ${fmt(r.dropped)}, datagrams received ${fmt(r.received)}`);
  }
  table([
    ['case', 'lines', 'printer lines/s', 'hub read lines/s', 'hub CPU s', 'CPU ms / 10k lines read', 'shipped', 'dropped', 'received', 'CPU ms / 10k shipped'],
    ...results.map((r) => [
      r.name,
      fmt(r.lines),
      fmt(r.lines / r.printSeconds),
      fmt(r.lines / r.readSeconds),
      r.cpu.toFixed(2),
      ((r.cpu / r.lines) * 1e7).toFixed(1),
      fmt(r.shipped),
      fmt(r.dropped),
      fmt(r.received),
      r.shipped ? ((r.cpu / r.shipped) * 1e7).toFixed(1) : '-',
    ]),
  ]);
  await waitQuiet();
  const alone = await sinkAlone();
  console.log(`\nThe shipping alone (GelfUdpSink in this process, ${fmt(SINK_LINES)} lines of ~64 bytes, batches of 256, to a socket that never reads):`);
  table([['compression', 'lines/s, one core at most', 'CPU ms / 10k lines'], ...alone.map((r) => [r.compression, fmt(r.linesPerS), r.cpuMsPer10k.toFixed(1)])]);
  for (const r of alone) info('log-shipping', `GELF UDP sink alone, ${r.compression}: CPU ms per 10k lines`, r.cpuMsPer10k.toFixed(1));
  for (const r of results) {
    info('log-shipping', `${r.name}: hub read lines/s`, fmt(r.lines / r.readSeconds));
    info('log-shipping', `${r.name}: hub CPU ms per 10k lines`, ((r.cpu / r.lines) * 1e7).toFixed(1));
    if (r.shipped || r.dropped) info('log-shipping', `${r.name}: shipped / dropped`, `${fmt(r.shipped)} / ${fmt(r.dropped)}`);
  }
});
