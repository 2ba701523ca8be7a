"""Takes the port of every runtime of one hub before the runtime binds it, once per runtime (a test stand-in
for the other processes of a busy machine that take a port between its choice and the runtime's bind).

Usage: port-grabber.py DATA_DIR. Scans /proc every 2 ms for new processes whose environment names the hub's
data dir and a runtime (NBHUB_RUNTIME, NBHUB_PORT), and takes that runtime's port the first time it sees it:
runtimes whose name ends in an even number get a listener that answers any HTTP request with 200 (as a
foreign server would; each request is reported), the others a socket only bound (the port is taken, nobody
accepts connections there). Prints one JSON line per event on stdout: {"ready": true} once scanning,
{"stole": runtime, "port": N, "mode": "listen"|"bind"}, {"missed": runtime, "port": N} when the runtime was
first, {"request": port, "line": first line}. Holds every port until killed.
"""
import json
import os
import re
import selectors
import socket
import sys
import time

data_dir = sys.argv[1].encode()
sel = selectors.DefaultSelector()
grabbed = {}  # runtime -> socket
held = []
seen = {}  # pid -> first seen (monotonic); a pid is looked at again while it may not have exec'd yet


def say(**event):
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def environ(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    except OSError:
        return None


def grab(runtime, port):
    mode = "listen" if int(re.search(r"(\d+)$", runtime).group(1)) % 2 == 0 else "bind"
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        s.close()
        say(missed=runtime, port=port)
        return
    if mode == "listen":
        s.listen(16)
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, ("listener", port))
    held.append(s)
    say(stole=runtime, port=port, mode=mode)


def scan():
    now = time.monotonic()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        first = seen.setdefault(pid, now)
        if now - first > 0.5:
            continue
        env = environ(pid)
        if not env or data_dir not in env.get(b"JUPYTER_CONFIG_DIR", b""):
            continue
        runtime, port = env.get(b"NBHUB_RUNTIME"), env.get(b"NBHUB_PORT")
        if runtime is None or port is None:
            continue
        runtime = runtime.decode()
        if runtime in grabbed:
            continue
        grabbed[runtime] = True
        grab(runtime, int(port))


def serve(timeout):
    for key, _ in sel.select(timeout):
        kind, port = key.data
        if kind == "listener":
            try:
                conn, _ = key.fileobj.accept()
            except OSError:
                continue
            conn.setblocking(False)
            sel.register(conn, selectors.EVENT_READ, ("conn", port))
        else:
            conn = key.fileobj
            try:
                data = conn.recv(4096)
            except OSError:
                data = b""
            if data:
                say(request=port, line=data.split(b"\r\n", 1)[0].decode("latin1"))
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 15\r\nConnection: close\r\n\r\nnot the runtime")
                except OSError:
                    pass
            sel.unregister(conn)
            conn.close()


# What runs already is not a new runtime.
for entry in os.listdir("/proc"):
    if entry.isdigit():
        seen[int(entry)] = time.monotonic() - 1
say(ready=True)
while True:
    scan()
    serve(0.002)
