"""A runtime that is slow to start, for the start page's tests: prints a line every second for SECONDS seconds
before it listens (as a real runtime prints while it loads), then serves a small HTML page at its base URL.
With `fail`, it exits with status 3 after those lines instead of listening.

Usage: slow-runtime.py PORT BASE_URL SECONDS [fail] WORKSPACE (unused; under the hub's data dir, where the test
hub's cleanup looks for what its runtimes left)
"""
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, base_url, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
fail = "fail" in sys.argv[4:]
for i in range(1, seconds + 1):
    print(f"loading step {i} of {seconds}", flush=True)
    time.sleep(1)
if fail:
    print("cannot load the model: out of patience", file=sys.stderr, flush=True)
    sys.exit(3)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path.startswith(base_url)
        body = b"<!doctype html><title>slow runtime</title><h1>slow runtime ready</h1>" if ok else b"not found"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"listening on port {port}", flush=True)
server.serve_forever()
