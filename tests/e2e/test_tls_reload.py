# SPDX-License-Identifier: MIT
"""Certificate reloads (SIGHUP): a good pair replaces the one in use, a bad
one or a key that is not the certificate's is refused (at start too), and a
storm of reloads while handshakes are stalled half-way frees nothing that
an engine still uses."""
import os
import re
import shutil
import signal
import socket
import ssl
import tempfile

from harness import Fail, Portico, check, curl, exchange, run_cli
from test_tls import fingerprint, make_cert, pem_fingerprint, s_client


def install(pair, cert, key):
    """Puts a (certificate, key) pair at the paths the server reloads, each
    file replaced whole."""
    for src, dst in zip(pair, (cert, key)):
        shutil.copy(src, dst + ".tmp")
        os.replace(dst + ".tmp", dst)


def wait_for_log(p, needle, count=1, rounds=100):
    """Waits, without sleeping, until `needle` is in the log `count` times.
    Each round is one plain request: the server answers it only after the
    signals sent before it, whose signalfd is in the same epoll set."""
    for _ in range(rounds):
        err = p.stderr()
        if err.count(needle) >= count:
            return err
        exchange(p, b"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
    raise Fail("%r not logged %d times: %r" % (needle, count, p.stderr()[-800:]))


def served_fingerprint(port):
    """The SHA-256 fingerprint of the certificate a new handshake gets, as
    openssl s_client sees it."""
    _, out = s_client(port, "-tls1_2")
    pem = re.search(rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n", out, re.S)
    check(pem, "no certificate from s_client: %r" % out[-500:])
    return pem_fingerprint(pem.group(0))


def case_sighup_reloads_the_certificate():
    cert_a, key_a = make_cert("ec")
    cert_b, key_b = make_cert("rsa")
    d = tempfile.mkdtemp()
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    shutil.copy(cert_a, cert)
    shutil.copy(key_a, key)
    p = Portico("--cert", cert, "--cert-key", key)
    try:
        https = "https://127.0.0.1:%d/healthz" % p.port
        check(curl("--cacert", cert_a, https)[0] == 0, "before the reload")
        ctx = ssl.create_default_context(cafile=cert_a)
        live = ctx.wrap_socket(socket.create_connection(("127.0.0.1", p.port), timeout=5), server_hostname="localhost")
        get = b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n"
        live.sendall(get)
        check(live.recv(4096).startswith(b"HTTP/1.1 200"), "live connection, before")
        with open(cert, "w") as f:
            f.write("broken\n")
        p.signal(signal.SIGHUP)
        wait_for_log(p, b"keeping the certificate in use")
        check(curl("--cacert", cert_a, https)[0] == 0, "a failed reload must keep the old certificate")
        shutil.copy(cert_b, cert)
        shutil.copy(key_b, key)
        p.signal(signal.SIGHUP)
        wait_for_log(p, b"SIGHUP: reloaded")
        check(curl("--cacert", cert_b, https)[0] == 0, "the new certificate is not served")
        check(curl("--cacert", cert_a, https)[0] != 0, "the old certificate is still served")
        live.sendall(get)
        check(live.recv(4096).startswith(b"HTTP/1.1 200"), "the reload dropped a live connection")
        live.close()
    finally:
        err = p.stop()
    check(b"keeping the certificate in use" in err and b"SIGHUP: reloaded" in err, err)
    check(b"SIGHUP: reloaded %s, SHA-256 fingerprint %s" % (cert.encode(), fingerprint(cert_b)) in err, err)


def case_a_key_that_is_not_the_certificates_is_refused():
    ec, other_ec, rsa = make_cert("ec"), make_cert("ec"), make_cert("rsa")
    for cert, key in ((ec[0], other_ec[1]), (rsa[0], ec[1]), (ec[0], rsa[1])):
        rc, _, err = run_cli("--auth", "none", "--bind-addr", "127.0.0.1:0", "--cert", cert, "--cert-key", key)
        want = b"the key in %s does not belong to the certificate in %s" % (key.encode(), cert.encode())
        check(rc == 102 and err.count(b"\n") == 1 and want in err, (cert, key, rc, err))
    d = tempfile.mkdtemp()
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    install(ec, cert, key)
    p = Portico("--cert", cert, "--cert-key", key)
    try:
        check(served_fingerprint(p.port) == fingerprint(ec[0]), "the first certificate is not served")
        for n, bad in enumerate(((rsa[0], ec[1]), (other_ec[0], ec[1])), 1):
            install(bad, cert, key)
            p.signal(signal.SIGHUP)
            err = wait_for_log(p, b"keeping the certificate in use", n)
            check(b"does not belong to the certificate in %s; keeping" % cert.encode() in err, err[-500:])
            check(served_fingerprint(p.port) == fingerprint(ec[0]), "a key that does not match was taken")
            check(curl("--cacert", ec[0], "https://127.0.0.1:%d/healthz" % p.port)[0] == 0, "not serving")
    finally:
        err = p.stop()
    check(b"SIGHUP: reloaded" not in err, err)


class Handshake:
    """A TLS client driven by hand (ssl.SSLObject over a socket), so that it
    can stop anywhere in its handshake and go on later."""

    def __init__(self, port):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE  # any of the test's certificates: the caller checks which
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.inc, self.out = ssl.MemoryBIO(), ssl.MemoryBIO()
        self.tls = ctx.wrap_bio(self.inc, self.out, server_hostname="localhost")
        self.step()
        self.held = self.out.read()  # the ClientHello

    def step(self):
        try:
            self.tls.do_handshake()
            return True
        except ssl.SSLWantReadError:
            return False

    def send(self, n):
        """Sends the first n bytes of what the client holds back."""
        self.sock.sendall(self.held[:n])
        self.held = self.held[n:]

    def more(self):
        data = self.sock.recv(65536)
        check(data, "the server closed during the handshake")
        self.inc.write(data)

    def to_server_flight(self):
        """Sends the ClientHello, takes the server's whole flight, and holds
        the client's answer back."""
        self.send(len(self.held))
        while not self.out.pending:
            self.more()
            self.step()
        self.held = self.out.read()

    def finish(self):
        """Completes the handshake and one request; the server's certificate (DER)."""
        self.send(len(self.held))
        while not self.step():
            self.sock.sendall(self.out.read())
            self.more()
        self.tls.write(b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n")
        self.sock.sendall(self.out.read())
        got = b""
        while b"\r\n\r\n" not in got:
            try:
                got += self.tls.read(65536)
            except ssl.SSLWantReadError:
                self.more()
        check(got.startswith(b"HTTP/1.1 200"), got[:100])
        return self.tls.getpeercert(binary_form=True)


def case_sighup_storm_while_handshakes_are_stalled():
    """50 reloads, each with one more handshake stalled at one of three
    points (after the record's first byte, half the ClientHello, the server's
    whole flight); the oldest are finished as it goes.  An engine keeps the
    credentials of its start: every handshake completes, with one of the
    certificates, and new ones get the last."""
    pairs = [make_cert(kind) for kind in ("ec", "rsa", "ec")]
    ders = []
    for c, _ in pairs:
        with open(c) as f:
            ders.append(ssl.PEM_cert_to_DER_cert(f.read()))
    d = tempfile.mkdtemp()
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    install(pairs[0], cert, key)
    p = Portico("--cert", cert, "--cert-key", key, "--header-timeout", "120")
    stalled, done = [], 0
    try:
        for i in range(50):
            h = Handshake(p.port)
            stalled.append(h)
            if i % 3 == 0:
                h.send(1)
            elif i % 3 == 1:
                h.send(len(h.held) // 2)
            else:
                h.to_server_flight()
            install(pairs[(i + 1) % 3], cert, key)
            p.signal(signal.SIGHUP)
            wait_for_log(p, b"SIGHUP: reloaded", i + 1)
            if i % 4 == 3:
                for _ in range(2):
                    check(stalled.pop(0).finish() in ders, "an unknown certificate")
                    done += 1
        check(len(stalled) > 20, "too few handshakes in progress")
        while stalled:
            check(stalled.pop(0).finish() in ders, "an unknown certificate")
            done += 1
        newest = pairs[50 % 3][0]
        check(served_fingerprint(p.port) == fingerprint(newest), "the newest certificate is not served")
        check(curl("--cacert", newest, "https://127.0.0.1:%d/healthz" % p.port)[0] == 0, "after the storm")
    finally:
        for h in stalled:
            h.sock.close()
        err = p.stop()
    check(done == 50 and err.count(b"SIGHUP: reloaded") == 50, (done, err[-500:]))
