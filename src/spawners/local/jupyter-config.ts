import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * jupyter_server and the classic notebook leave Nagle on for WebSockets, so a kernel's burst of small
 * frames waits on Nagle + the client's delayed ACK (~40 ms per execute round trip, measured in
 * bench/kernel-rtt). This config, loaded through JUPYTER_CONFIG_DIR, turns it off.
 */
const NODELAY_PATCH = `# Written by nbhub. Sends kernel messages at once instead of waiting ~40 ms on Nagle + delayed ACK.
# tornado turns Nagle back on when each HTTP request finishes, the WebSocket upgrade (101) included, so it is
# turned off again once the WebSocket is established, and on every accepted connection for plain HTTP.
try:
    import tornado.websocket as _nbhub_ws
    _nbhub_start_pinging = _nbhub_ws.WebSocketProtocol13.start_pinging
    def _nbhub_ws_nodelay(self):
        try:
            self.stream.set_nodelay(True)
        except Exception:
            pass
        return _nbhub_start_pinging(self)
    _nbhub_ws.WebSocketProtocol13.start_pinging = _nbhub_ws_nodelay
except Exception:
    pass
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

/** JupyterLab asks the internet for news and updates at start: not reachable from runtimes, and not nbhub's to show. */
const LAB_QUIET = `
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
`;

/** The files of JUPYTER_CONFIG_DIR, by name (the Kubernetes spawner puts them in a ConfigMap). */
export const JUPYTER_CONFIG_FILES: Readonly<Record<string, string>> = {
  'jupyter_notebook_config.py': NODELAY_PATCH,
  'jupyter_server_config.py': NODELAY_PATCH + LAB_QUIET,
};

export const writeJupyterConfig = (dir: string): string => {
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(JUPYTER_CONFIG_FILES)) writeFileSync(join(dir, name), text);
  return dir;
};
