"""A named app for tests: answers every GET with its name, pid and the path it saw (so a test sees a restart and
whether the hub's prefix was stripped). With --fail it prints why and exits 3 instead, as a broken app would.

Usage: named-app.py NAME PORT [--fail]
"""
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

name, port = sys.argv[1], int(sys.argv[2])
if "--fail" in sys.argv:
    print(f"{name}: cannot read /nonexistent/{name}.toml", flush=True)
    sys.exit(3)
print(f"{name} serving on {port}", flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from {name} pid={os.getpid()} path={self.path} runtime={os.environ.get('NBHUB_RUNTIME', '?')}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
