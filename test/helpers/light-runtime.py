"""A light runtime for tests: serves 200 at its base URL, after a second of starting up (as real runtimes take
before they bind). A taken port ends it with Python's own error ("[Errno 98] Address already in use").

Usage: light-runtime.py PORT BASE_URL WORKSPACE (unused, but on the command line under the hub's data dir, where the
test hub's cleanup looks for what its runtimes left)
"""
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, base_url = int(sys.argv[1]), sys.argv[2]
print(f"starting up on port {port}", flush=True)
time.sleep(1)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path.startswith(base_url)
        body = f"light runtime {os.environ.get('NBHUB_RUNTIME', '?')}".encode() if ok else b"not found"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"serving on port {port}", flush=True)
server.serve_forever()
