"""A JupyterHub-style service for tests: serves under JUPYTERHUB_SERVICE_PREFIX on JUPYTERHUB_SERVICE_URL and
answers what it was given and what it was sent, as JSON: its pid, its JUPYTERHUB_* environment (the token only as
a yes/no), whether it sees any NBHUB_* variable, and the request's path and headers. `GET {prefix}whoami` asks the
hub's API as the service (GET /hub/api/user with its own token) and passes the answer on; `GET {prefix}redirect`
sends the browser to the hub's login, as a HubAuth service does, and tries to set the hub's session cookie;
`GET {prefix}print/{text}` prints `service says {text}` to its output (what the hub keeps as the service's log).

Run as a managed service (the hub sets the environment), or as an external one with
`service.py --external PORT PREFIX`.
"""
import json
import os
import sys
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

if len(sys.argv) == 4 and sys.argv[1] == "--external":
    port, prefix = int(sys.argv[2]), sys.argv[3]
else:
    port, prefix = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"]).port, os.environ["JUPYTERHUB_SERVICE_PREFIX"]


class Handler(BaseHTTPRequestHandler):
    def answer(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if not self.path.startswith(prefix):
            return self.answer(404, {"error": "outside the prefix", "path": self.path})
        if self.path == prefix + "redirect":
            # What a HubAuth service does for a visitor it does not know; it also tries to set the hub's cookie.
            self.send_response(302)
            self.send_header("Location", "/hub/login?next=" + prefix)
            self.send_header("Set-Cookie", "nbhub-session=forged; Path=/")
            self.send_header("Set-Cookie", "svc=1; Path=" + prefix)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path.startswith(prefix + "print/"):
            print("service says " + self.path[len(prefix + "print/"):], flush=True)
        if self.path == prefix + "whoami":
            req = urllib.request.Request(
                os.environ["JUPYTERHUB_API_URL"] + "/user",
                headers={"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]},
            )
            with urllib.request.urlopen(req, timeout=5) as r:
                return self.answer(200, json.loads(r.read()))
        env = {k: v for k, v in os.environ.items() if k.startswith("JUPYTERHUB_") and k != "JUPYTERHUB_API_TOKEN"}
        self.answer(
            200,
            {
                "pid": os.getpid(),
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "env": env,
                "has_token": bool(os.environ.get("JUPYTERHUB_API_TOKEN")),
                "nbhub_vars": sorted(k for k in os.environ if k.startswith("NBHUB_")),
                "extra": os.environ.get("SERVICE_EXTRA"),
            },
        )

    def log_message(self, *args):
        pass


print(f"service listening on 127.0.0.1:{port} under {prefix}", flush=True)
ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
