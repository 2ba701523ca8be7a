// The nbhub/tiny-http image of the process kubelet's registry stand-in: a tiny HTTP server for benches and
// tests. Pods share the machine's network, so it binds the pod's own address: $POD_IP (set it from
// status.podIP through the downward API), port $PORT or 8080. Exits 0 on SIGTERM, as a well-behaved server.
import http from 'node:http';

const ip = process.env.POD_IP;
if (!ip) {
  console.error('tiny-http: set POD_IP (valueFrom fieldRef status.podIP): pods share the node network here');
  process.exit(2);
}
const port = Number(process.env.PORT ?? 8080);
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`ok ${process.env.HOSTNAME ?? ''} ${req.url}\n`);
});
server.listen(port, ip, () => console.log(`tiny-http listening on ${ip}:${port}`));
process.on('SIGTERM', () => {
  console.log('tiny-http: SIGTERM, closing');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
