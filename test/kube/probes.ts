import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { V1Probe } from '@kubernetes/client-node';

/** One probe attempt, as a kubelet runs it: httpGet (2xx/3xx), tcpSocket (connects), exec (exit 0 in the container's mounts). */
export type ProbeResult = { ok: true } | { ok: false; message: string };

const portOf = (port: number | string, ports: Record<string, number>) => (typeof port === 'number' ? port : ports[port] ?? Number(port));

export const runProbe = (probe: V1Probe, podIp: string, pid: number | undefined, env: Record<string, string>, ports: Record<string, number>): Promise<ProbeResult> => {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet) {
    const g = probe.httpGet;
    const lib = g.scheme === 'HTTPS' ? https : http;
    const port = portOf(g.port, ports);
    const headers = Object.fromEntries((g.httpHeaders ?? []).map((h) => [h.name, h.value]));
    return new Promise((resolve) => {
      const req = lib.get({ host: g.host || podIp, port, path: g.path ?? '/', headers: { 'User-Agent': 'kube-probe/1.37', ...headers }, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
      });
      req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
      req.on('error', (err) => resolve({ ok: false, message: `Get "${g.scheme === 'HTTPS' ? 'https' : 'http'}://${g.host || podIp}:${port}${g.path ?? '/'}": ${err.message}` }));
    });
  }
  if (probe.tcpSocket) {
    const port = portOf(probe.tcpSocket.port, ports);
    const host = probe.tcpSocket.host || podIp;
    return new Promise((resolve) => {
      const s = net.connect({ host, port, timeout: timeoutMs });
      s.on('connect', () => { s.destroy(); resolve({ ok: true }); });
      s.on('timeout', () => { s.destroy(); resolve({ ok: false, message: `dial tcp ${host}:${port}: i/o timeout` }); });
      s.on('error', (err) => resolve({ ok: false, message: `dial tcp ${host}:${port}: ${err.message}` }));
    });
  }
  if (probe.exec?.command?.length) {
    const cmd = probe.exec.command;
    // In the container's mount namespace, so the probe sees what the container sees.
    const argv = pid ? ['nsenter', `--mount=/proc/${pid}/ns/mnt`, '--', ...cmd] : cmd;
    return new Promise((resolve) => {
      const child = spawn(argv[0]!, argv.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
      let out = '';
      child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
      child.on('error', (err) => resolve({ ok: false, message: err.message }));
      child.on('close', (code) => resolve(code === 0 ? { ok: true } : { ok: false, message: out.trim() || `command ${JSON.stringify(cmd)} exited with ${code}` }));
    });
  }
  return Promise.resolve({ ok: true });
};
