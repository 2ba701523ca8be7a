"""A runtime for log tests: serves 200 at its base URL, then prints a burst of numbered lines to stdout as fast as it
can (BURST_BYTES in all, default 1 MB; every 500th line a long one of random hex, which a GELF UDP message must
chunk), and writes `burst-done` (the seconds the burst took) into its working directory (the workspace).

Usage: burst-runtime.py PORT BASE_URL WORKSPACE (the workspace on the command line lets the test hub's cleanup find it)
"""
import os
import random
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, base_url = int(sys.argv[1]), sys.argv[2]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"burst runtime"
        self.send_response(200 if self.path.startswith(base_url) else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()

total = int(os.environ.get("BURST_BYTES", str(1 << 20)))
rng = random.Random(18)
out = sys.stdout
written = 0
i = 0
began = time.monotonic()
while written < total:
    if i % 500 == 499:
        line = f"burst {i:06d} long {rng.getrandbits(12000):x}\n"
    else:
        line = f"burst {i:06d} " + "abcdefghij" * (i % 10) + "\n"
    out.write(line)
    written += len(line)
    i += 1
out.flush()
took = time.monotonic() - began
with open("burst-done", "w") as f:
    f.write(f"{i} {took:.3f}\n")
threading.Event().wait()  # serve until stopped
