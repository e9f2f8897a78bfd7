// SPDX-License-Identifier: MIT
// The TLS engine against BearSSL's own client over a socketpair, pumped by
// hand so that every record can be cut where a test wants it.  What is
// under test is the engine's glue: the record buffer handed back to the
// kernel once the handshake is done (Engine::trim) must never lose a byte
// that was in it, whether nothing, a part of a record or a whole one was
// waiting, and the bytes after it must flow both ways as before.
#include <doctest/doctest.h>

#include <bearssl.h>
#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor/loop.h"
#include "tls/engine.h"
#include "tls/local_ca.h"

namespace {

// BearSSL's client, trusting the one key the server has (no chain to
// validate: the chain is not what is under test).
struct Client {
  br_ssl_client_context cc;
  br_x509_minimal_context xc;
  br_x509_knownkey_context xk;
  unsigned char q[BR_EC_KBUF_PUB_MAX_SIZE];
  unsigned char buf[BR_SSL_BUFSIZE_BIDI];
  std::string out;  // records it sent, not yet given to the socket

  Client(const br_x509_certificate& leaf, const br_ssl_session_parameters* resume) {
    br_x509_decoder_context dc;
    br_x509_decoder_init(&dc, nullptr, nullptr);
    br_x509_decoder_push(&dc, leaf.data, leaf.data_len);
    const br_x509_pkey* pk = br_x509_decoder_get_pkey(&dc);
    REQUIRE((pk != nullptr && pk->key_type == BR_KEYTYPE_EC));
    memcpy(q, pk->key.ec.q, pk->key.ec.qlen);
    br_ec_public_key ec{pk->key.ec.curve, q, pk->key.ec.qlen};
    br_ssl_client_init_full(&cc, &xc, nullptr, 0);
    br_x509_knownkey_init_ec(&xk, &ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
    br_ssl_engine_set_x509(&cc.eng, &xk.vtable);
    br_ssl_engine_set_buffer(&cc.eng, buf, sizeof buf, 1);
    if (resume != nullptr) br_ssl_engine_set_session_parameters(&cc.eng, resume);
    REQUIRE(br_ssl_client_reset(&cc, "localhost", resume != nullptr ? 1 : 0));
  }
  unsigned state() const { return br_ssl_engine_current_state(&cc.eng); }
  // Its records into `out`, and what the socket holds into it; bounded.
  void pump(int fd) {
    for (int i = 0; i < 64; i++) {
      bool moved = false;
      size_t len;
      if (unsigned char* p = br_ssl_engine_sendrec_buf(&cc.eng, &len)) {
        out.append(reinterpret_cast<char*>(p), len);
        br_ssl_engine_sendrec_ack(&cc.eng, len);
        moved = true;
      }
      if (unsigned char* p = br_ssl_engine_recvrec_buf(&cc.eng, &len)) {
        ssize_t r = ::read(fd, p, len);
        if (r > 0) br_ssl_engine_recvrec_ack(&cc.eng, static_cast<size_t>(r)), moved = true;
      }
      if (!moved) return;
    }
  }
  // Gives the socket `n` bytes of `out` (all by default).
  void put(int fd, size_t n = std::string::npos) {
    n = std::min(n, out.size());
    REQUIRE(::write(fd, out.data(), n) == static_cast<ssize_t>(n));
    out.erase(0, n);
  }
  void write_app(const std::string& s) {
    for (size_t at = 0; at < s.size();) {
      size_t len;
      unsigned char* p = br_ssl_engine_sendapp_buf(&cc.eng, &len);
      REQUIRE(p != nullptr);
      len = std::min(len, s.size() - at);
      memcpy(p, s.data() + at, len);
      br_ssl_engine_sendapp_ack(&cc.eng, len);
      br_ssl_engine_flush(&cc.eng, 0);
      at += len;
      size_t n;
      while (unsigned char* r = br_ssl_engine_sendrec_buf(&cc.eng, &n)) {
        out.append(reinterpret_cast<char*>(r), n);
        br_ssl_engine_sendrec_ack(&cc.eng, n);
      }
    }
  }
  std::string read_app(int fd, size_t want) {
    std::string got;
    for (int i = 0; i < 2000 && got.size() < want; i++) {
      pump(fd);
      size_t len;
      if (unsigned char* p = br_ssl_engine_recvapp_buf(&cc.eng, &len)) {
        got.append(reinterpret_cast<char*>(p), len);
        br_ssl_engine_recvapp_ack(&cc.eng, len);
      }
    }
    return got;
  }
};

struct Pair {
  reactor::Loop loop;
  tls::Server server;
  std::string dir;
  tls::CredsRef creds;
  Pair() {
    reactor::LoopLimits lim;
    lim.max_conns = 4;
    REQUIRE(loop.init(lim, nullptr));
    char tmpl[] = "/tmp/portico-engine-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    tls::Issued is;
    std::string err;
    REQUIRE_MESSAGE(tls::ensure_local_ca(dir, "localhost", tls::box_names("localhost", "", {}), &is, &err), err);
    REQUIRE_MESSAGE(server.init(&loop, is.cert_file, is.key_file, &err), err);
    creds = tls::Creds::load(is.cert_file, is.key_file, &err);
    REQUIRE(creds);
  }
  ~Pair() { (void)std::system(("rm -rf " + dir).c_str()); }
};

// One connection: the test's client on c, the engine on s.
struct Wire {
  int c = -1, s = -1;
  reactor::Transport* t = nullptr;
  Pair& p;
  explicit Wire(Pair& pair) : p(pair) {
    int sv[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    c = sv[0], s = sv[1];
    t = p.server.open();
    REQUIRE(t != nullptr);
  }
  ~Wire() {
    t->release();
    close(c);
    close(s);
  }
  // The engine's turn: records out, then in, until it has nothing (EAGAIN).
  std::string serve(size_t max = 1 << 20) {
    p.loop.turn(0);  // a new turn: a new handshake ration
    std::string got;
    char buf[16384];
    for (int i = 0; i < 256 && got.size() < max; i++) {
      ssize_t r = t->recv(s, buf, std::min(sizeof buf, max - got.size()));
      if (r <= 0) {
        REQUIRE((r < 0 && errno == EAGAIN));
        break;
      }
      got.append(buf, static_cast<size_t>(r));
    }
    REQUIRE(t->drain(s) >= 0);
    return got;
  }
  void handshake(Client& cl) {
    for (int i = 0; i < 50 && !(cl.state() & BR_SSL_SENDAPP); i++) {
      cl.pump(c);
      cl.put(c);
      serve();
    }
    REQUIRE((cl.state() & BR_SSL_SENDAPP));
  }
  // Server to client: `n` bytes through the engine, read back whole.
  void answer(Client& cl, size_t n, char fill) {
    std::string s_out(n, fill);
    for (size_t at = 0, i = 0; at < n && i < 1000; i++) {
      ssize_t w = t->send(s, s_out.data() + at, n - at);
      REQUIRE(w >= 0);
      at += static_cast<size_t>(w);
      REQUIRE(t->drain(s) >= 0);
      if (w == 0) cl.pump(c);
    }
    CHECK(cl.read_app(c, n) == s_out);
  }
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

}  // namespace

TEST_CASE("tls engine: after the buffer is handed back, every byte still flows, both ways") {
  Pair p;
  Wire k(p);
  Client cl(p.creds->chain()[0], nullptr);
  k.handshake(cl);
  cl.pump(k.c);
  cl.put(k.c);
  k.serve();
  CHECK(p.server.buffers_returned() == 1);  // its last read found nothing: the buffer went back to the kernel
  std::string req = pattern(40000);  // three records, the last a short one
  cl.write_app(req);
  cl.put(k.c, 7);  // a header and two bytes of the first, then the rest
  CHECK(k.serve() == "");
  cl.put(k.c);
  std::string got;
  for (int i = 0; i < 20 && got.size() < req.size(); i++) got += k.serve();
  CHECK(got == req);
  k.answer(cl, 70000, 'x');
  cl.write_app("after");
  cl.put(k.c);
  CHECK(k.serve() == "after");
}

TEST_CASE("tls engine: a resumed handshake whose Finished comes with part of a record keeps that part") {
  Pair p;
  br_ssl_session_parameters sp;
  {
    Wire first(p);
    Client cl(p.creds->chain()[0], nullptr);
    first.handshake(cl);
    br_ssl_engine_get_session_parameters(&cl.cc.eng, &sp);
  }
  Wire k(p);
  Client cl(p.creds->chain()[0], &sp);
  // ClientHello; the server's ServerHello, ChangeCipherSpec and Finished.
  cl.pump(k.c);
  cl.put(k.c);
  k.serve();
  cl.pump(k.c);
  REQUIRE((cl.state() & BR_SSL_SENDAPP));  // abbreviated: the client may send at once
  std::string req = pattern(3000);
  cl.write_app(req);  // its ChangeCipherSpec, Finished and one record of application data
  size_t whole = cl.out.size();
  REQUIRE(whole > 3000);
  uint64_t returned = p.server.buffers_returned();
  cl.put(k.c, whole - 1500);  // the handshake ends with half a record in the buffer
  CHECK(k.serve() == "");
  CHECK(p.server.buffers_returned() == returned);  // not with that half in it
  cl.put(k.c);
  CHECK(k.serve() == req);
  CHECK(p.server.buffers_returned() == returned + 1);
  k.answer(cl, 20000, 'y');  // and after the buffer went back (the read above found nothing more)
  cl.write_app("bye");
  cl.put(k.c);
  CHECK(k.serve() == "bye");
}
