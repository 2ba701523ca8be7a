"""A runtime for the app tests: serves 200 at its base URL and its apps' ports as JSON at `{base_url}ports`,
404 elsewhere (so the culler reads it as a runtime without kernels), and starts the apps of TEST_APPS as its
children, each on a free port of its own. TEST_APPS: [{"name": ..., "argv": [...]}], `{port}` and
`{base_url}` replaced in argv. The apps die with it (PR_SET_PDEATHSIG), so a test hub killed with SIGKILL
leaves none behind. It writes its runtime token to `runtime-token` in its workspace, so a test can check
that no app ever sees it.

Usage: apps-runtime.py PORT BASE_URL WORKSPACE
"""
import ctypes
import json
import os
import random
import signal
import socket
import subprocess
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

port, base_url, workspace = int(sys.argv[1]), sys.argv[2], sys.argv[3]
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1


def die_with_parent():
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port():
    # Below the ephemeral range (32768-60999): a port the kernel hands out for bind(0) can be taken by any
    # outgoing connection before the app binds it (Spark's JVMs beside these tests make many), one below cannot.
    while True:
        p = random.randint(20000, 32767)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", p))
            return p
        except OSError:
            continue
        finally:
            s.close()


with open(os.path.join(workspace, "runtime-token"), "w") as f:
    f.write(os.environ.get("NBHUB_TOKEN", ""))

ports = {}
for app in json.loads(os.environ.get("TEST_APPS", "[]")):
    p = free_port()
    argv = [a.replace("{port}", str(p)).replace("{base_url}", base_url) for a in app["argv"]]
    subprocess.Popen(argv, cwd=workspace, preexec_fn=die_with_parent, stdin=subprocess.DEVNULL)
    ports[app["name"]] = p
print(f"apps on ports {ports}", flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == base_url:
            body, status = b"apps runtime", 200
        elif path == base_url + "ports":
            body, status = json.dumps(ports).encode(), 200
        else:
            body, status = b"not found", 404
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
