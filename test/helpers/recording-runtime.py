"""A runtime for the hardening tests: records every request it gets (method, path, headers, body length) and answers
with what it recorded. `{base}__requests` answers the list (not recorded itself), `{base}set-cookies` answers with
cookies that try to reach outside the runtime's prefix, `{base}hang-up` closes the connection without answering.
It reads bodies framed by Content-Length or chunked on any method, as a strict HTTP/1.1 server does, so bytes the hub
would pass on unframed show up as a second request.

Usage: recording-runtime.py PORT BASE_URL WORKSPACE
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, base_url = int(sys.argv[1]), sys.argv[2]
seen = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def body(self):
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return total
                self.rfile.read(size)
                self.rfile.readline()
                total += size
        n = int(self.headers.get("Content-Length") or 0)
        return len(self.rfile.read(n)) if n else 0

    def answer(self):
        length = self.body()
        if self.path == base_url + "__requests":
            with lock:
                out = json.dumps(seen).encode()
            return self.send(200, out, [("Content-Type", "application/json")])
        with lock:
            seen.append({"method": self.command, "path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": length})
        if self.path.startswith(base_url + "hang-up"):
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        extra = []
        if self.path.startswith(base_url + "set-cookies"):
            for c in ("nbhub-session=forged; Path=/", "__Host-nbhub-session=forged; Path=/; Secure", "shadow=1; Path=/hub/",
                      "wide=1; Path=/", "dom=1; Domain=127.0.0.1; Path=/user/", "own=1; Path=" + base_url + "lab"):
                extra.append(("Set-Cookie", c))
        return self.send(200 if self.path.startswith(base_url) else 404, b"recorded", extra)

    def send(self, status, body, headers):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_OPTIONS = do_PATCH = do_HEAD = answer

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
print(f"serving on port {port}", flush=True)
server.serve_forever()
