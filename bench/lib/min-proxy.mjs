// A reference for the proxy benchmarks: the least a node:http reverse proxy can do (no auth, no route
// lookup, no header rewriting): keep-alive agent upstream, headers passed as they are, bodies piped.
// Usage: node min-proxy.mjs PORT TARGET_PORT
import { Agent, createServer, request } from 'node:http';

const [port, targetPort] = process.argv.slice(2).map(Number);
const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 256, scheduling: 'lifo' });
const server = createServer({ noDelay: true, keepAliveTimeout: 65_000 }, (req, res) => {
  const up = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent }, (upRes) => {
    res.writeHead(upRes.statusCode ?? 502, upRes.headers);
    upRes.pipe(res);
  });
  up.on('error', () => res.destroy());
  req.pipe(up);
});
server.on('upgrade', (req, socket, head) => {
  const up = request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers, agent: false });
  up.on('upgrade', (upRes, upSocket, upHead) => {
    const lines = [`HTTP/1.1 101 Switching Protocols`];
    for (let i = 0; i < upRes.rawHeaders.length; i += 2) lines.push(`${upRes.rawHeaders[i]}: ${upRes.rawHeaders[i + 1]}`);
    socket.setNoDelay(true);
    upSocket.setNoDelay(true);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    if (upHead.length) socket.write(upHead);
    if (head.length) upSocket.write(head);
    upSocket.pipe(socket).pipe(upSocket);
    socket.on('close', () => upSocket.destroy());
    upSocket.on('close', () => socket.destroy());
  });
  up.on('error', () => socket.destroy());
  up.end();
});
server.listen(port, '127.0.0.1', () => console.log(`min-proxy on ${port} → ${targetPort}`));
process.on('SIGTERM', () => process.exit(0));
