// A tiny runtime for the proxy benchmarks: a small HTTP answer on every path and a WebSocket echo.
// Usage: node backend.mjs PORT [BASE_URL]   (nbhub runs it through a profile: "{port}" "{base_url}")
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const port = Number(process.argv[2] ?? 0);
const base = process.argv[3] ?? '/';
const body = Buffer.from('{"ok":true,"bench":"small response"}\n');

const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
  res.end(body);
});
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`backend listening on 127.0.0.1:${server.address().port} base ${base}`);
});
process.on('SIGTERM', () => process.exit(0));
