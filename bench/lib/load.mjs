// Load generation (HTTP with a keep-alive agent and bounded concurrency, WebSocket ping-pong) and
// percentiles. One Node process, one event loop: on a 2-core box it uses about one core itself.
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted, q) => {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
};

export const summarize = (samples) => {
  const s = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return {
    n: s.length,
    min: s[0] ?? NaN,
    p50: percentile(s, 0.5),
    p90: percentile(s, 0.9),
    p99: percentile(s, 0.99),
    max: s[s.length - 1] ?? NaN,
    mean: s.length ? sum / s.length : NaN,
  };
};

export const median = (values) => percentile(Float64Array.from(values).sort(), 0.5);

/** One HTTP request; resolves {status, headers, text, json(), ms}. */
export const httpRequest = (method, url, { headers = {}, body, agent, timeoutMs = 30_000 } = {}) =>
  new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const h = { ...headers };
    if (payload !== undefined) {
      h['content-type'] ??= 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    const t0 = performance.now();
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers: h, agent: agent ?? false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode,
            headers: res.headers,
            text,
            ms: performance.now() - t0,
            json: () => JSON.parse(text),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms: ${method} ${url}`)));
    req.on('error', reject);
    req.end(payload);
  });

/** Polls `url` every `intervalMs` until it answers `status`; returns ms elapsed since `since`. */
export const pollUntil = async (url, { headers = {}, status = 200, intervalMs = 10, timeoutMs = 60_000, since = performance.now(), agent } = {}) => {
  const deadline = since + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const r = await httpRequest('GET', url, { headers, agent, timeoutMs: 5_000 });
      if (r.status === status) return performance.now() - since;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = err.message;
    }
    if (performance.now() > deadline) throw new Error(`${url} not ${status} within ${timeoutMs} ms (last: ${last})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
};

const runHttpPhase = (o, agent, durationMs, record) =>
  new Promise((resolve) => {
    const u = new URL(o.url);
    const opts = { host: u.hostname, port: u.port, path: u.pathname + u.search, method: o.method ?? 'GET', headers: o.headers ?? {}, agent };
    const expect = o.expectStatus ?? 200;
    const lat = [];
    const statuses = {};
    let done = 0;
    let errors = 0;
    let active = o.connections;
    const start = performance.now();
    const end = start + durationMs;
    const finish = () => {
      if (--active === 0) {
        const elapsed = (performance.now() - start) / 1000;
        resolve({ requests: done, errors, statuses, seconds: elapsed, rps: done / elapsed, latency: summarize(lat) });
      }
    };
    const one = () => {
      if (performance.now() >= end) return finish();
      const t0 = performance.now();
      const req = request(opts, (res) => {
        res.on('data', () => {});
        res.on('end', () => {
          const ms = performance.now() - t0;
          done++;
          statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
          if (res.statusCode !== expect) errors++;
          if (record) lat.push(ms);
          one();
        });
      });
      req.on('error', () => {
        errors++;
        setTimeout(one, 5);
      });
      req.end();
    };
    for (let i = 0; i < o.connections; i++) one();
  });

/**
 * Closed-loop HTTP load: `connections` keep-alive connections, each sending its next request as soon as
 * the previous answer ends. A warm-up phase (not recorded) opens the connections and warms the JIT.
 */
export const loadHttp = async (o) => {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections, maxFreeSockets: o.connections });
  try {
    const warm = (o.warmupMs ?? 1000) > 0 ? await runHttpPhase(o, agent, o.warmupMs ?? 1000, false) : { requests: 0 };
    return { ...(await runHttpPhase(o, agent, o.durationMs ?? 3000, true)), warmupCount: warm.requests };
  } finally {
    agent.destroy();
  }
};

/** Opens a WebSocket (no compression); `protocols`: subprotocols to ask for (Sec-WebSocket-Protocol). */
const openWs = (url, headers, protocols) =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { headers, perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`WebSocket upgrade refused: HTTP ${res.statusCode} (${url})`)));
  });

/**
 * WebSocket ping-pong: `connections` sockets, each sending one message and the next when its echo
 * arrives. Messages/s counts echoes received; latency is per round trip.
 */
export const loadWs = async ({ url, headers = {}, connections = 50, durationMs = 3000, warmupMs = 1000, message = 'x'.repeat(64) }) => {
  const sockets = await Promise.all(Array.from({ length: connections }, () => openWs(url, headers)));
  const phase = (ms, record) =>
    new Promise((resolve) => {
      const lat = [];
      let count = 0;
      let active = connections;
      const start = performance.now();
      const end = start + ms;
      for (const ws of sockets) {
        let t0 = 0;
        const onMessage = () => {
          const now = performance.now();
          count++;
          if (record) lat.push(now - t0);
          if (now >= end) {
            ws.off('message', onMessage);
            if (--active === 0) {
              const seconds = (performance.now() - start) / 1000;
              resolve({ messages: count, seconds, mps: count / seconds, latency: summarize(lat) });
            }
            return;
          }
          t0 = now;
          ws.send(message);
        };
        ws.on('message', onMessage);
        t0 = performance.now();
        ws.send(message);
      }
    });
  try {
    const warm = warmupMs > 0 ? await phase(warmupMs, false) : { messages: 0 };
    return { ...(await phase(durationMs, true)), warmupCount: warm.messages };
  } finally {
    for (const ws of sockets) ws.terminate();
  }
};

export { openWs };

/** wrk (apt-get install wrk) if installed: a C load generator, much cheaper per request than Node. */
export const wrkPath = () => {
  for (const d of (process.env['PATH'] ?? '').split(':')) {
    try {
      accessSync(`${d}/wrk`, constants.X_OK);
      return `${d}/wrk`;
    } catch {
      // not here
    }
  }
  return undefined;
};

const toMs = (v, unit) => Number(v) * ({ us: 0.001, ms: 1, s: 1000, m: 60_000 }[unit] ?? NaN);

/** The same closed loop as loadHttp, driven by wrk with one thread (about one core, like loadHttp). */
export const loadWrk = async ({ url, headers = {}, connections = 50, durationMs = 3000, warmupMs = 1000 }) => {
  const wrk = wrkPath();
  if (!wrk) throw new Error('wrk is not installed');
  const hdr = Object.entries(headers).flatMap(([k, v]) => ['-H', `${k}: ${v}`]);
  const run = (ms) =>
    new Promise((resolve, reject) => {
      execFile(wrk, ['-t1', `-c${connections}`, `-d${Math.max(1, Math.round(ms / 1000))}s`, '--latency', ...hdr, url], { env: { ...process.env } }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      );
    });
  const warm = warmupMs > 0 ? await run(warmupMs) : '';
  const out = await run(durationMs);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const pct = (p) => {
    const m = new RegExp(`^\\s+${p}%\\s+([\\d.]+)(us|ms|s|m)`, 'm').exec(out);
    return m ? toMs(m[1], m[2]) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const socketErr = /Socket errors: (.*)/.exec(out)?.[1];
  return {
    requests,
    errors: non2xx + (socketErr ? socketErr.match(/\d+/g).reduce((a, b) => a + Number(b), 0) : 0),
    statuses: {},
    rps,
    latency: { p50: pct(50), p90: pct(90), p99: pct(99), n: requests },
    warmupCount: Number(/(\d+) requests in/.exec(warm)?.[1] ?? 0),
    raw: out,
  };
};
