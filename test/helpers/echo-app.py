"""A web app for the proxy tests: answers every GET with the path and the request headers it received (JSON),
and tries to set the hub's session cookie each time (the hub must drop it). Paths ending in /redirect/abs,
/redirect/root, /redirect/rel and /redirect/refresh redirect to `landed` as an app that believes it is at
`/` would: an absolute URL of its own origin, an absolute path, a relative reference, a Refresh header.

Usage: echo-app.py PORT
"""
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port = int(sys.argv[1])


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        redirects = {
            "/redirect/abs": ("Location", f"http://127.0.0.1:{port}/landed"),
            "/redirect/root": ("Location", "/landed"),
            "/redirect/rel": ("Location", "landed"),
        }
        hit = next((v for k, v in redirects.items() if path.endswith(k)), None)
        body = json.dumps({"path": self.path, "headers": [[k, v] for k, v in self.headers.items()]}).encode()
        self.send_response(302 if hit else 200)
        if hit:
            self.send_header(*hit)
        if path.endswith("/redirect/refresh"):
            self.send_header("Refresh", "0; url=/landed")
        self.send_header("Set-Cookie", "nbhub-session=forged-by-app; Path=/")
        self.send_header("Set-Cookie", "app-cookie=1; Path=/")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
