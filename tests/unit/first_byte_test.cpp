// SPDX-License-Identifier: MIT
// FirstByte — the TLS-or-plain decision on a shared port, on the real loop
// (tests/unit/rig.h): what each first byte leads to, and a connection that
// ends, times out or is drained before any byte came.
#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <unistd.h>

#include "first_byte.h"
#include "rig.h"

namespace {

// A TLS server with an EC certificate made by openssl in a directory of its own.
struct TlsRig {
  rig::Rig r;
  tls::Server tls;
  FirstByte first{tls, r.http()};
  std::string dir;
  TlsRig() {
    char tmpl[] = "/tmp/portico-firstbyte-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    std::string cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout " + dir +
                      "/k.pem -out " + dir + "/c.pem -days 2 -subj /CN=localhost 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::string err;
    REQUIRE_MESSAGE(tls.init(&r.loop, dir + "/c.pem", dir + "/k.pem", &err), err);
  }
  ~TlsRig() {
    (void)r.quiesce();
    (void)std::system(("rm -rf " + dir).c_str());
  }
  // A client waiting for its first byte: the test's end, and portico's Conn.
  int client(reactor::Conn** c) {
    int fd = r.open_client(c);
    first.adopt(**c);
    return fd;
  }
};

}  // namespace

TEST_CASE("first byte: a plain request on the TLS port is parsed as HTTP") {
  TlsRig t;
  reactor::Conn* c = nullptr;
  int fd = t.client(&c);
  CHECK(c->handler() == &t.first);
  rig::put(fd, "GET /x HTTP/1.1\r\nHost: a\r\n\r\n");
  std::string got;
  REQUIRE(t.r.until([&] { return (got += rig::take(fd)).find("ok") != std::string::npos; }));
  CHECK(got.substr(0, 15) == "HTTP/1.1 200 OK");
  CHECK(c->plain());
  ::close(fd);
  CHECK(t.r.quiesce());
}

TEST_CASE("first byte: 0x16 gets a TLS engine, which reads the record itself") {
  TlsRig t;
  reactor::Conn* c = nullptr;
  int fd = t.client(&c);
  uint64_t id = c->id();
  int64_t deadline = c->deadline();
  REQUIRE(c->timer() == reactor::Timer::Head);
  // A client that holds its first byte back gains no time by it: the
  // handshake runs under the deadline set at accept (found by a review).
  int64_t since = t.r.loop.clock().now_ms();
  REQUIRE(t.r.until([&] { return t.r.loop.clock().now_ms() >= since + 5; }));
  rig::put(fd, std::string("\x16\x03\x01\x00\x30", 5));  // a handshake record's header, its body to come
  t.r.turns(3);
  reactor::Conn* still = t.r.loop.find(id);
  REQUIRE(still != nullptr);
  CHECK_FALSE(still->plain());
  CHECK(still->handler() == &t.r.http());
  CHECK(still->timer() == reactor::Timer::Head);
  CHECK(still->deadline() == deadline);
  CHECK(rig::take(fd).empty());  // no HTTP error page was written on the TLS side
  ::close(fd);
  CHECK(t.r.quiesce());
}

TEST_CASE("first byte: a client that leaves, stalls or meets a drain before any byte is freed") {
  TlsRig t;
  SUBCASE("EOF before any byte") {
    reactor::Conn* c = nullptr;
    int fd = t.client(&c);
    ::close(fd);
    REQUIRE(t.r.until([&] { return t.r.loop.conns() == 0; }));
  }
  SUBCASE("the head deadline before any byte") {
    reactor::Conn* c = nullptr;
    int fd = t.client(&c);
    c->handler()->on_timeout(*c, reactor::Timer::Head);
    CHECK(c->closed());
    t.r.turns(1);
    CHECK(t.r.loop.conns() == 0);
    bool eof = false;
    (void)rig::take(fd, &eof);
    CHECK(eof);
    ::close(fd);
  }
  SUBCASE("a drain before any byte") {
    reactor::Conn* c = nullptr;
    int fd = t.client(&c);
    c->handler()->on_drain(*c);
    CHECK(c->closed());
    t.r.turns(1);
    CHECK(t.r.loop.conns() == 0);
    ::close(fd);
  }
}
