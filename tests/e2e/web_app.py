# SPDX-License-Identifier: MIT
"""A real web app for the port proxy tests: Python's http.server (HTTP/1.1,
keep-alive) serving a directory, plus a few routes that report what the app
saw.  Runs in a thread on a free loopback port; `seen` lists every request
it got, so a test can prove a refused request never reached it."""
import hashlib
import http.server
import json
import os
import socket
import tempfile
import threading


class Handler(http.server.SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _route(self):
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        if self.path.startswith(("/echo", "/base/", "/proxy/")):
            body = json.dumps({"method": self.command, "path": self.path, "cookie": self.headers.get_all("Cookie"),
                               "host": self.headers.get("Host")}).encode()
            self._send(200, body, [("Content-Type", "application/json")])
            return True
        if self.path == "/redirect":
            self._send(302, b"", [("Location", "/landing?x=1")])
            return True
        if self.path == "/away":
            self._send(302, b"", [("Location", "https://example.org/elsewhere")])
            return True
        if self.path == "/setcookie":
            self._send(200, b"ok", [("Set-Cookie", "app=1; Path=/; HttpOnly")])
            return True
        return False

    def do_GET(self):
        if not self._route():
            super().do_GET()

    def do_HEAD(self):
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        super().do_HEAD()

    def do_OPTIONS(self):
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        self._send(204, b"", [("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET, POST")])

    def do_POST(self):
        self.server.seen.append((self.command, self.path, dict(self.headers.items())))
        h = hashlib.sha256()
        n = 0
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                data = self.rfile.read(size)
                h.update(data)
                n += len(data)
                self.rfile.readline()
        else:
            left = int(self.headers.get("Content-Length", "0"))
            while left > 0:
                data = self.rfile.read(min(left, 1 << 20))
                if not data:
                    break
                h.update(data)
                n += len(data)
                left -= len(data)
        self._send(200, json.dumps({"sha": h.hexdigest(), "len": n}).encode(), [("Content-Type", "application/json")])


class Server6(http.server.ThreadingHTTPServer):
    address_family = socket.AF_INET6


class WebApp:
    def __init__(self, big=20 << 20, v6=False):
        self.dir = tempfile.mkdtemp(prefix="portico-app-")
        os.makedirs(os.path.join(self.dir, "dir"))
        with open(os.path.join(self.dir, "dir", "index.html"), "w") as f:
            f.write("<p>the app's dir</p>\n")
        with open(os.path.join(self.dir, "big.bin"), "wb") as f:
            f.write(os.urandom(big))
        with open(os.path.join(self.dir, "big.bin"), "rb") as f:
            self.big_sha = hashlib.sha256(f.read()).hexdigest()
        handler = lambda *a, **k: Handler(*a, directory=self.dir, **k)  # noqa: E731
        self.httpd = Server6(("::1", 0), handler) if v6 else http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.httpd.seen = []
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def seen(self):
        return self.httpd.seen

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()
