# SPDX-License-Identifier: MIT
"""A backend in a process of its own, so that a test can kill it at a known
point: `python3 fault_backend.py MODE` prints its port, serves connections
one at a time, and after reading each request head does MODE, prints "sent"
and waits (for stdin to close, i.e. forever, or for SIGKILL):

  head    half a response head
  body    a head promising 1,000,000 bytes and the first 1,000 ("b" * 1000)
  tunnel  101 Switching Protocols, then "hello"
  stall   nothing at all
  big     a head promising BIG bytes (argv[2]), then all of them; prints
          "done" or "cut" when the writes end"""
import socket
import sys

from harness import Fail, recv_until


def main():
    mode = sys.argv[1]
    l = socket.socket()
    l.bind(("127.0.0.1", 0))
    l.listen(16)
    print(l.getsockname()[1], flush=True)
    keep = []
    while True:
        c, _ = l.accept()
        keep.append(c)
        try:
            recv_until(c, b"\r\n\r\n")
        except Fail:
            continue  # closed before its head: the next one
        if mode == "head":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Le")
        elif mode == "body":
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + b"b" * 1000)
        elif mode == "tunnel":
            c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello")
        elif mode == "big":
            n = int(sys.argv[2])
            c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % n)
            print("sent", flush=True)
            block = b"z" * (1 << 20)
            try:
                for _ in range(n >> 20):
                    c.sendall(block)
                print("done", flush=True)
            except OSError:
                print("cut", flush=True)
            continue
        print("sent", flush=True)


if __name__ == "__main__":
    main()
