# SPDX-License-Identifier: MIT
"""A raw RFC 6455 client for tests: every frame built by hand, so that any
framing error can be sent, and every byte the server answers is checked."""
import base64
import os
import socket
import struct
import time

from harness import Fail

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
KEY = base64.b64encode(b"0123456789abcdef").decode()


def frame(op, payload=b"", fin=True, rsv=0, mask=True, length=None):
    """A client frame; `length` declares another payload length than sent."""
    n = len(payload) if length is None else length
    b = bytes([(0x80 if fin else 0) | (rsv << 4) | op])
    m = 0x80 if mask else 0
    if n < 126:
        b += bytes([m | n])
    elif n < 65536:
        b += bytes([m | 126]) + struct.pack(">H", n)
    else:
        b += bytes([m | 127]) + struct.pack(">Q", n)
    if mask:
        k = os.urandom(4)
        b += k
        payload = bytes(c ^ k[i % 4] for i, c in enumerate(payload)) if len(payload) < 4096 else _xor(payload, k)
    return b + payload


def _xor(payload, k):
    key = (k * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(len(payload), "big")


def close_payload(code, reason=b""):
    return struct.pack(">H", code) + reason


def request(path="/healthz", headers=None, key=KEY, version="13"):
    h = {"Host": "127.0.0.1", "Upgrade": "websocket", "Connection": "Upgrade",
         "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": version}
    h.update(headers or {})
    lines = "".join("%s: %s\r\n" % (k, v) for k, v in h.items() if v is not None)
    return ("GET %s HTTP/1.1\r\n%s\r\n" % (path, lines)).encode()


class Conn:
    """A client connection: handshake, then send frames and read the server's."""

    def __init__(self, port, extra=b"", path="/healthz", headers=None, timeout=5):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.s.sendall(request(path, headers) + extra)
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.head = head.decode("latin-1")
        if not self.head.startswith("HTTP/1.1 101 "):
            raise Fail("no 101: %r" % self.head)
        accept = base64.b64encode(__import__("hashlib").sha1((KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        if ("Sec-WebSocket-Accept: %s" % accept.decode()) not in self.head:
            raise Fail("bad Sec-WebSocket-Accept in %r" % self.head)
        if "Sec-WebSocket-Extensions" in self.head or "Sec-WebSocket-Protocol" in self.head:
            raise Fail("negotiated something: %r" % self.head)

    def _more(self):
        chunk = self.s.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def send(self, data, chop=None, pause=0.0):
        """Sends data whole, or in pieces of `chop` bytes, or at the given offsets."""
        if chop is None:
            pieces = [data]
        elif isinstance(chop, int):
            pieces = [data[i:i + chop] for i in range(0, len(data), chop)]
        else:
            cuts = [0] + [c for c in chop if 0 < c < len(data)] + [len(data)]
            pieces = [data[a:b] for a, b in zip(cuts, cuts[1:])]
        for p in pieces:
            try:
                self.s.sendall(p)
            except (BrokenPipeError, ConnectionResetError):
                return  # the server may close first; what it said is read next
            if pause:
                time.sleep(pause)

    def read_frame(self):
        """(opcode, payload), or None when the server closed the connection."""
        try:
            while len(self.buf) < 2:
                self._more()
            b0, b1 = self.buf[0], self.buf[1]
            if b1 & 0x80:
                raise Fail("server frame is masked")
            if b0 & 0x70:
                raise Fail("server frame has RSV bits")
            n, at = b1 & 0x7F, 2
            if n == 126:
                while len(self.buf) < 4:
                    self._more()
                n, at = struct.unpack(">H", self.buf[2:4])[0], 4
            elif n == 127:
                while len(self.buf) < 10:
                    self._more()
                n, at = struct.unpack(">Q", self.buf[2:10])[0], 10
            while len(self.buf) < at + n:
                self._more()
        except EOFError:
            if self.buf:
                raise Fail("connection closed inside a frame: %r" % self.buf[:40])
            return None
        except ConnectionResetError:
            raise Fail("connection reset by the server (RST instead of FIN)")
        if not b0 & 0x80:
            raise Fail("server sent a fragment")
        payload = self.buf[at:at + n]
        self.buf = self.buf[at + n:]
        return b0 & 0x0F, payload

    def close(self):
        self.s.close()
