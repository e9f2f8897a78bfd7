// SPDX-License-Identifier: MIT
// Rig — the real reactor, HTTP handler, HTTP proxy and tunnel in one test
// process, stepped one loop turn at a time.  The client is one end of a
// socketpair (the other end is the test's), the backend a unix socket the
// test accepts and scripts by hand, so every phase of an exchange can be cut
// exactly where a test wants it.  A ScriptedTransport on the client can hold
// bytes like a TLS engine and take writes a little at a time.
//
// Routes: "/p..." goes through the HTTP proxy, a WebSocket upgrade through
// the tunnel, anything else answers 200 "ok".
//
// Shared by the unit tests (doctest's REQUIRE) and the request_path fuzz harness
// (tests/fuzz/request_path.cpp, which defines RIG_MUST to abort instead).
#pragma once

#ifndef RIG_MUST
#include <doctest/doctest.h>
#define RIG_MUST(cond) REQUIRE(cond)
#endif

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "http/error_page.h"
#include "http/handler.h"
#include "proxy/http_proxy.h"
#include "proxy/tunnel.h"
#include "reactor/loop.h"

namespace rig {

// A transport that behaves like a TLS engine without the cryptography: it
// takes at most `take` bytes per send() into its own buffer (EAGAIN every
// other call) and lets at most `trickle` bytes a drain() reach the socket,
// so records are held across turns and only EPOLLOUT frees them.
class ScriptedTransport final : public reactor::Transport {
 public:
  size_t take = 700, trickle = 1000;
  bool notified = false, released = false;

  ssize_t recv(int fd, char* buf, size_t n) override { return ::read(fd, buf, n); }
  ssize_t send(int, const char* p, size_t n) override {
    if ((flip_ = !flip_) || held_ + 1 > sizeof buf_) return errno = EAGAIN, 0;
    size_t k = std::min({n, take, sizeof buf_ - held_});
    memcpy(buf_ + held_, p, k);
    held_ += k;
    return static_cast<ssize_t>(k);
  }
  int drain(int fd) override {
    if (held_ == 0) return 1;
    ssize_t w = ::send(fd, buf_, std::min(held_, trickle), MSG_NOSIGNAL);
    if (w < 0) return errno == EAGAIN ? 0 : -1;
    memmove(buf_, buf_ + w, held_ - static_cast<size_t>(w));
    held_ -= static_cast<size_t>(w);
    return held_ == 0 ? 1 : 0;
  }
  void close_notify(int fd) override {
    notified = true;
    (void)drain(fd);
  }
  uint32_t interest() const override { return held_ > 0 ? uint32_t{EPOLLOUT} : 0u; }
  void release() override { released = true; }

 private:
  char buf_[4096];
  size_t held_ = 0;
  bool flip_ = false;
};

class Rig final : public http::Router {
 public:
  Rig() {
    site_.app_name = "portico";
    site_.error_template = "<p>{{CODE}} {{MESSAGE}}</p>";
    reactor::LoopLimits lim;
    lim.max_conns = 16;
    lim.proto_size = std::max({http::Handler::proto_size(), proxy::HttpProxy::proto_size(), proxy::Tunnel::proto_size()});
    lim.chunk_size = http_.chunk_size();
    for (int64_t& t : lim.timeout_ms) t = 30000;
    RIG_MUST(loop.init(lim, nullptr));
    char dir[] = "/tmp/portico-rig-XXXXXX";
    RIG_MUST(mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/backend.sock";
    backend_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    path_.copy(un.sun_path, path_.size());
    RIG_MUST(::bind(backend_, reinterpret_cast<sockaddr*>(&un), sizeof un) == 0);
    RIG_MUST(listen(backend_, 8) == 0);
    std::string why;
    RIG_MUST(target_.parse("unix:" + path_, &why));
    target_.use = &use;
  }
  ~Rig() {
    (void)quiesce();
    ::close(backend_);
    unlink(path_.c_str());
    rmdir(dir_.c_str());
  }

  // A client connection no handler has yet: the test's end, and *conn.
  int open_client(reactor::Conn** conn) {
    int sv[2];
    RIG_MUST(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
    *conn = loop.open(sv[0]);
    RIG_MUST(*conn != nullptr);
    (*conn)->set_peer("test");
    return sv[1];
  }
  // A client connection adopted by the HTTP handler; returns the test's end.
  int client(reactor::Transport* t = nullptr) {
    reactor::Conn* c = nullptr;
    int fd = open_client(&c);
    if (t != nullptr) c->set_transport(t);
    http_.adopt(*c);
    return fd;
  }
  http::Handler& http() { return http_; }
  // Steps the loop until `done()` or `max` turns (each waits at most 20 ms).
  template <typename F>
  bool until(F done, int max = 200) {
    for (int i = 0; i < max; i++) {
      if (done()) return true;
      loop.turn(20);
    }
    return done();
  }
  void turns(int n) {
    for (int i = 0; i < n; i++) loop.turn(5);
  }
  // Closes whatever is still open (pooled backend connections too) and
  // steps until every Conn is freed; false if some never are.
  bool quiesce() {
    for (int i = 0; i < 200 && loop.conns() > 0; i++) {
      loop.for_each_conn([](reactor::Conn& c) { c.close("rig ends"); });
      loop.turn(0);
    }
    return loop.conns() == 0;
  }
  // The backend's end of a connection portico made, or -1 if none waits.
  int try_accept() {
    pollfd p{backend_, POLLIN, 0};
    return poll(&p, 1, 0) == 1 ? accept4(backend_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC) : -1;
  }
  // The backend's end of the next proxied connection (steps the loop until
  // portico has connected).
  int accept_backend() {
    int fd = -1;
    until([&] { return (fd = try_accept()) >= 0; });
    RIG_MUST(fd >= 0);
    return fd;
  }

  reactor::Flow on_request(reactor::Conn& c, const http::Request& req, http::Response& resp) override {
    if (req.path.substr(0, 2) == "/p") {
      (void)proxy_.start(c, req, resp, target_, fw_);
      return reactor::Flow::Keep;
    }
    resp.begin(200);
    resp.send("text/plain", "ok");
    return reactor::Flow::Keep;
  }
  reactor::Flow on_upgrade(reactor::Conn& c, const http::Request& req, size_t head_len) override {
    return tunnel_.start(c, req, head_len, target_, fw_);
  }
  size_t body_limit(const http::Request&) override { return 0; }

  reactor::Loop loop;

 private:
  http::Options opts_;
  http::Site site_;
  http::Handler http_{opts_, site_, this};
  proxy::HttpProxy proxy_{http_, site_};
  proxy::Tunnel tunnel_{http_, true};
  proxy::Target target_;
 public:
  reactor::Use use;   // the backend's exchanges and tunnels, as the VS Code server's are counted
 private:
  proxy::Forwarding fw_ = [] {
    proxy::Forwarding f;
    f.session_cookie = "code-server-session";
    return f;
  }();
  std::string dir_, path_;
  int backend_ = -1;
};

// Socket helpers for the test's ends (non-blocking sockets).
inline void put(int fd, const std::string& s) {
  size_t off = 0;
  for (int i = 0; i < 10000 && off < s.size(); i++) {
    ssize_t w = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
    if (w > 0) off += static_cast<size_t>(w);
    else if (w < 0 && errno != EAGAIN) break;
  }
}
// What has arrived so far; sets *eof when the peer closed (EOF or reset).
inline std::string take(int fd, bool* eof = nullptr) {
  std::string got;
  char buf[65536];
  for (int i = 0; i < 100000; i++) {
    ssize_t r = ::recv(fd, buf, sizeof buf, 0);
    if (r > 0) {
      got.append(buf, static_cast<size_t>(r));
      continue;
    }
    if (eof != nullptr && (r == 0 || errno != EAGAIN)) *eof = true;
    break;
  }
  return got;
}
// Closes with a reset (SO_LINGER 0), as a crashed peer's kernel would.
inline void reset(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace rig
