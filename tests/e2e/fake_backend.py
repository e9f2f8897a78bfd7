# SPDX-License-Identifier: MIT
"""A scripted HTTP/1.1 backend for the proxy tests: strict about what it
receives, and able to misbehave on request.  Paths:

  /bytes/N/cl | /bytes/N/chunked   N bytes of a known pattern, framed so
  /echo                            JSON: method, target, headers (as a list), body sha256 and length
  /cut/N                           Content-Length N, half the body, then close
  /switch                          101 Switching Protocols, whatever was asked
  /hop                             a response carrying hop-by-hop fields
  /interim                         100 Continue, 103 Early Hints, then 200 "ok"
  /fold                            a field continued by obs-fold, then 200 "ok"
Every connection and request is recorded in `log`."""
import hashlib
import json
import socket
import threading


def pattern(n):
    block = bytes(range(256)) * 256  # 64 KiB
    return (block * (n // len(block) + 1))[:n]


class FakeBackend:
    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.log = []            # (method, target, headers, body_sha, body_len)
        self.connections = 0
        self.stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.stop = True
        self.sock.close()

    def _accept(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        buf = b""
        c.settimeout(30)
        try:
            while True:
                while b"\r\n\r\n" not in buf:
                    chunk = c.recv(65536)
                    if not chunk:
                        return
                    buf += chunk
                head, _, buf = buf.partition(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                method, target, version = lines[0].split(" ")
                headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:]]
                names = [h[0].lower() for h in headers]
                te = [v for k, v in headers if k.lower() == "transfer-encoding"]
                cl = [v for k, v in headers if k.lower() == "content-length"]
                assert version in ("HTTP/1.1", "HTTP/1.0") and names.count("host") <= 1 and not (te and cl), "not canonical"
                assert version == "HTTP/1.0" or names.count("host") == 1, "HTTP/1.1 without Host"
                body = b""
                if te:
                    assert te == ["chunked"]
                    while True:
                        while b"\r\n" not in buf:
                            buf += c.recv(65536)
                        size_line, _, buf = buf.partition(b"\r\n")
                        size = int(size_line.split(b";")[0], 16)
                        while len(buf) < size + 2:
                            buf += c.recv(1 << 20)
                        body += buf[:size]
                        buf = buf[size + 2:]
                        if size == 0:
                            break
                elif cl:
                    n = int(cl[0])
                    while len(buf) < n:
                        buf += c.recv(1 << 20)
                    body, buf = buf[:n], buf[n:]
                self.log.append((method, target, headers, hashlib.sha256(body).hexdigest(), len(body)))
                if not self._answer(c, method, target, headers, body, version):
                    return
        except (OSError, AssertionError, ValueError):
            return
        finally:
            c.close()

    def _answer(self, c, method, target, headers, body, version):
        parts = target.split("/")
        if target.startswith("/bytes/"):
            n, mode = int(parts[2]), parts[3]
            data = pattern(n)
            if mode == "cl":
                c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
                c.sendall(data if method != "HEAD" else b"")
            elif version == "HTTP/1.0":  # as a real server: no chunks for 1.0, the close ends it
                c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + data)
                return False
            else:
                c.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                for i in range(0, n, 100000):
                    piece = data[i:i + 100000]
                    c.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
                c.sendall(b"0\r\n\r\n")
            return True
        if target.startswith("/echo"):
            out = json.dumps({"method": method, "target": target, "headers": headers,
                              "sha": hashlib.sha256(body).hexdigest(), "len": len(body)}).encode()
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(out), out))
            return True
        if target.startswith("/cut/"):
            n = int(parts[2])
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n + pattern(n // 2))
            return False
        if target == "/switch":
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nSECRET-TUNNEL-BYTES")
            return False
        if target == "/hop":
            c.sendall(b"HTTP/1.1 200 OK\r\nConnection: close, X-Hop\r\nX-Hop: 1\r\nKeep-Alive: timeout=5\r\n"
                      b"Proxy-Authenticate: Basic\r\nX-End: 2\r\nContent-Length: 2\r\n\r\nok")
            return False
        if target == "/interim":
            c.sendall(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            return True
        if target == "/fold":
            c.sendall(b"HTTP/1.1 200 OK\r\nX-Folded: a\r\n  b\r\nContent-Length: 2\r\n\r\nok")
            return True
        c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return True
