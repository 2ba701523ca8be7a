import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * The kubelet's HTTPS port, reduced to what `kubectl logs` needs: /containerLogs/{ns}/{pod}/{container}
 * with tailLines, limitBytes and follow, so GET /api/v1/namespaces/{ns}/pods/{pod}/log works through the
 * API server (which dials the node's InternalIP and kubeletEndpoint port, without verifying this
 * self-signed certificate, as it does when --kubelet-certificate-authority is unset).
 */
export type LogSource = (ns: string, pod: string, container: string | undefined) => { file: string; live: () => boolean } | undefined;

const cert = (dir: string) => {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'kubelet.key');
  const crt = join(dir, 'kubelet.crt');
  if (!existsSync(crt)) {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '3650',
      '-subj', '/CN=process-kubelet', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  }
  return { key: readFileSync(key), cert: readFileSync(crt) };
};

const tail = (text: string, lines: number) => {
  const parts = text.split('\n');
  if (parts.at(-1) === '') parts.pop();
  return parts.slice(Math.max(0, parts.length - lines)).map((l) => `${l}\n`).join('');
};

export const startLogServer = async (dir: string, source: LogSource): Promise<{ port: number; close(): void }> => {
  const server = https.createServer(cert(dir), (req, res) => {
    const url = new URL(req.url ?? '/', 'https://node');
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (req.method !== 'GET' || !m) {
      res.writeHead(404).end('the process kubelet serves /containerLogs only\n');
      return;
    }
    const found = source(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!), m[3] && decodeURIComponent(m[3]));
    if (!found || !existsSync(found.file)) {
      res.writeHead(404).end(`container ${m[3] ?? ''} in pod ${m[1]}/${m[2]} not found on this node\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    let text = readFileSync(found.file, 'utf8');
    const lines = url.searchParams.get('tailLines');
    if (lines !== null) text = tail(text, Number(lines));
    const limit = url.searchParams.get('limitBytes');
    if (limit !== null) text = text.slice(0, Number(limit));
    res.write(text);
    if (url.searchParams.get('follow') !== 'true') {
      res.end();
      return;
    }
    let offset = statSync(found.file).size;
    const timer = setInterval(() => {
      try {
        const size = statSync(found.file).size;
        if (size > offset) {
          const buf = Buffer.alloc(size - offset);
          const fd = openSync(found.file, 'r');
          readSync(fd, buf, 0, buf.length, offset);
          closeSync(fd);
          offset = size;
          res.write(buf);
        } else if (!found.live()) {
          clearInterval(timer);
          res.end();
        }
      } catch {
        clearInterval(timer);
        res.end();
      }
    }, 250);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
};
