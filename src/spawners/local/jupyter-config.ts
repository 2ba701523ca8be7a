import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * jupyter_server and the classic notebook never set TCP_NODELAY on their sockets, so a kernel's burst of
 * small WebSocket frames waits on Nagle + the client's delayed ACK (~40 ms per execute round trip).
 * This config, loaded through JUPYTER_CONFIG_DIR, turns Nagle off on every accepted connection.
 */
const NODELAY_PATCH = `# Written by nbhub. Sends kernel messages at once instead of waiting ~40 ms on Nagle + delayed ACK.
try:
    from tornado.httpserver import HTTPServer as _NbhubHTTPServer
    _nbhub_handle_stream = _NbhubHTTPServer.handle_stream
    def _nbhub_nodelay(self, stream, address):
        try:
            stream.set_nodelay(True)
        except Exception:
            pass
        return _nbhub_handle_stream(self, stream, address)
    _NbhubHTTPServer.handle_stream = _nbhub_nodelay
except Exception:
    pass
`;

export const writeJupyterConfig = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  for (const file of ['jupyter_notebook_config.py', 'jupyter_server_config.py']) {
    writeFileSync(join(dir, file), NODELAY_PATCH);
  }
  return dir;
};
