// SPDX-License-Identifier: MIT
// tls_rig — portico's TLS engine (tls::Server) and BearSSL's own client
// over a socketpair in one test process, pumped by hand: the client's
// records are held until the test gives the socket as many of their bytes
// as it wants, and the engine takes a turn only when the test says, so
// every record can be cut where a test wants it.
//
// Shared by the unit tests (doctest's REQUIRE) and the tls_records fuzz
// harness (tests/fuzz/tls_records.cpp, which defines TLS_RIG_MUST to abort
// instead).
#pragma once

#ifndef TLS_RIG_MUST
#include <doctest/doctest.h>
#define TLS_RIG_MUST(cond) REQUIRE(cond)
#endif

#include <algorithm>
#include <bearssl.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor/loop.h"
#include "tls/engine.h"
#include "tls/local_ca.h"

namespace tls_rig {

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
    TLS_RIG_MUST((pk != nullptr && pk->key_type == BR_KEYTYPE_EC));
    memcpy(q, pk->key.ec.q, pk->key.ec.qlen);
    br_ec_public_key ec{pk->key.ec.curve, q, pk->key.ec.qlen};
    br_ssl_client_init_full(&cc, &xc, nullptr, 0);
    br_x509_knownkey_init_ec(&xk, &ec, BR_KEYTYPE_KEYX | BR_KEYTYPE_SIGN);
    br_ssl_engine_set_x509(&cc.eng, &xk.vtable);
    br_ssl_engine_set_buffer(&cc.eng, buf, sizeof buf, 1);
    if (resume != nullptr) br_ssl_engine_set_session_parameters(&cc.eng, resume);
    TLS_RIG_MUST(br_ssl_client_reset(&cc, "localhost", resume != nullptr ? 1 : 0));
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
  // Gives the socket up to `n` bytes of `out` (all by default), as many as
  // it takes now.
  void put(int fd, size_t n = std::string::npos) {
    n = std::min(n, out.size());
    ssize_t w = n > 0 ? ::write(fd, out.data(), n) : 0;
    TLS_RIG_MUST((w >= 0 || errno == EAGAIN));
    if (w > 0) out.erase(0, static_cast<size_t>(w));
  }
  void write_app(const std::string& s) {
    for (size_t at = 0; at < s.size();) {
      size_t len;
      unsigned char* p = br_ssl_engine_sendapp_buf(&cc.eng, &len);
      TLS_RIG_MUST(p != nullptr);
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
    TLS_RIG_MUST(loop.init(lim, nullptr));
    char tmpl[] = "/tmp/portico-engine-XXXXXX";
    TLS_RIG_MUST(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    tls::Issued is;
    std::string err;
    TLS_RIG_MUST(tls::ensure_local_ca(dir, "localhost", tls::box_names("localhost", "", {}), &is, &err));
    TLS_RIG_MUST(server.init(&loop, is.cert_file, is.key_file, &err));
    creds = tls::Creds::load(is.cert_file, is.key_file, &err);
    TLS_RIG_MUST(creds);
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
    TLS_RIG_MUST(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    c = sv[0], s = sv[1];
    t = p.server.open();
    TLS_RIG_MUST(t != nullptr);
  }
  ~Wire() {
    t->release();
    close(c);
    close(s);
  }
  // How the engine's reads ended: 0 not yet, 1 the client closed cleanly
  // (close_notify), -1 an error.  Either must not happen while `strict`.
  int ended = 0;
  bool strict = true;
  // The engine's turn: records out, then in, until it has nothing (EAGAIN).
  std::string serve(size_t max = 1 << 20) {
    p.loop.turn(0);  // a new turn: a new handshake ration
    std::string got;
    char buf[16384];
    for (int i = 0; i < 256 && got.size() < max && ended == 0; i++) {
      ssize_t r = t->recv(s, buf, std::min(sizeof buf, max - got.size()));
      if (r < 0 && errno == EAGAIN) break;
      if (r <= 0) ended = r == 0 ? 1 : -1;
      TLS_RIG_MUST((!strict || ended == 0));
      if (r > 0) got.append(buf, static_cast<size_t>(r));
    }
    if (ended == 0) TLS_RIG_MUST(t->drain(s) >= 0);
    return got;
  }
  // Until the client may send.  With `hold`, its last flight stays in
  // `out` when it may send before the engine has it (a resumed handshake:
  // its Finished comes last).
  void handshake(Client& cl, bool hold = false) {
    for (int i = 0; i < 50 && !(cl.state() & BR_SSL_SENDAPP); i++) {
      cl.pump(c);
      if (hold && (cl.state() & BR_SSL_SENDAPP)) break;
      cl.put(c);
      serve();
    }
    TLS_RIG_MUST((cl.state() & BR_SSL_SENDAPP));
  }
  // Server to client: as much of `bytes` as the engine takes (none before
  // its handshake is done), in `*taken`; what the client then read.
  std::string answer(Client& cl, const std::string& bytes, size_t* taken = nullptr) {
    size_t at = 0;
    for (int i = 0; at < bytes.size() && i < 64; i++) {
      ssize_t w = t->send(s, bytes.data() + at, bytes.size() - at);
      TLS_RIG_MUST(w >= 0);
      at += static_cast<size_t>(w);
      TLS_RIG_MUST(t->drain(s) >= 0);
      if (w == 0) cl.pump(c);
    }
    if (taken != nullptr) *taken = at;
    return cl.read_app(c, at);
  }
};

inline std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i++) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

}  // namespace tls_rig
