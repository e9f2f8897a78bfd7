#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A stand-in for the VS Code server, run by portico as --vscode-server, for
the tests of its lifetime: it listens on --socket-path (any request: 200
"stand-in <pid>"; an upgrade: 101, then it echoes), and at start leaves what
VS Code's terminals leave, beyond its process group's reach: a job in a
session of its own, one that ignores SIGTERM, and a daemon that forked
twice.  Their pids and its own are appended to $STAND_IN_DIR/pids."""
import os
import socket
import subprocess
import sys
import threading

path = sys.argv[sys.argv.index("--socket-path") + 1]
pids = [os.getpid()]
pids.append(subprocess.Popen(["setsid", "sleep", "1001"]).pid)
pids.append(subprocess.Popen(["sh", "-c", "trap '' TERM; exec sleep 1002"]).pid)
out = subprocess.run(["sh", "-c", "setsid sh -c 'sleep 1003 > /dev/null 2>&1 & echo $!'"], capture_output=True, text=True)
pids.append(int(out.stdout.split()[0]))
with open(os.path.join(os.environ["STAND_IN_DIR"], "pids"), "a") as f:
    f.write(" ".join(map(str, pids)) + "\n")


def serve(c):
    with c:
        head = b""
        while b"\r\n\r\n" not in head:
            got = c.recv(4096)
            if not got:
                return
            head += got
        if b"\nupgrade:" in head.lower():
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")
            while True:
                got = c.recv(4096)
                if not got:
                    return
                c.sendall(got)
        body = b"stand-in %d" % os.getpid()
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body))


s = socket.socket(socket.AF_UNIX)
s.bind(path)
s.listen(16)
print("stand-in listening", flush=True)
while True:
    conn, _ = s.accept()
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
