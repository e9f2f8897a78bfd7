// SPDX-License-Identifier: MIT
// Conn::link: the two-way link between Conns that depend on each other.
#include <doctest/doctest.h>

#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "reactor/loop.h"

namespace {

// Counts what it is told; closes nothing by itself unless asked.
struct Recorder final : reactor::Handler {
  int unlinked = 0;
  bool close_on_unlink = false;
  reactor::Flow on_readable(reactor::Conn&) override { return reactor::Flow::Keep; }
  reactor::Flow on_writable(reactor::Conn&) override { return reactor::Flow::Keep; }
  void on_timeout(reactor::Conn& c, reactor::Timer) override { c.close("timeout"); }
  void on_drain(reactor::Conn& c) override { c.close("drain"); }
  void on_release(reactor::Conn& c) override { c.set_handler(nullptr); }
  void on_unlinked(reactor::Conn& c) override {
    unlinked++;
    if (close_on_unlink) c.close("partner gone");
  }
};

struct Pair {
  reactor::Loop loop;
  Recorder ha, hb;
  reactor::Conn* a = nullptr;
  reactor::Conn* b = nullptr;
  int ends[2] = {-1, -1};
  Pair() {
    reactor::LoopLimits lim;
    lim.max_conns = 4;
    for (int64_t& t : lim.timeout_ms) t = 30000;
    REQUIRE(loop.init(lim, nullptr));
    int x[2], y[2];
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, x) == 0);
    REQUIRE(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, y) == 0);
    a = loop.open(x[0]);
    b = loop.open(y[0]);
    ends[0] = x[1];
    ends[1] = y[1];
    a->set_handler(&ha);
    b->set_handler(&hb);
    a->link(*b);
  }
  ~Pair() {
    for (int i = 0; i < 10 && loop.conns() > 0; i++) {
      loop.for_each_conn([](reactor::Conn& c) { c.close("end"); });
      loop.turn(0);
    }
    ::close(ends[0]);
    ::close(ends[1]);
  }
};

}  // namespace

TEST_CASE("closing either side of a link tells the other at once, and gives it a timer") {
  for (bool close_a : {true, false}) {
    Pair p;
    CHECK(p.a->partner() == p.b);
    CHECK(p.b->partner() == p.a);
    reactor::Conn* gone = close_a ? p.a : p.b;
    reactor::Conn* left = close_a ? p.b : p.a;
    Recorder& told = close_a ? p.hb : p.ha;
    gone->close("test");
    CHECK(told.unlinked == 1);
    CHECK(left->partner() == nullptr);
    CHECK(gone->partner() == nullptr);
    CHECK(!left->closed());
    CHECK(left->timer() == reactor::Timer::Io);  // the survivor is never left without a deadline
    p.loop.turn(0);  // the closed one is freed; the survivor is untouched
    CHECK(!left->closed());
    CHECK(p.loop.conns() == 1);
  }
}

TEST_CASE("a partner that closes itself when told does not recurse") {
  Pair p;
  p.hb.close_on_unlink = true;
  p.a->close("test");
  CHECK(p.hb.unlinked == 1);
  CHECK(p.b->closed());
  CHECK(p.ha.unlinked == 0);
  p.loop.turn(0);
  CHECK(p.loop.conns() == 0);
}

TEST_CASE("a lingering side cuts the link too; unlink() tells nobody") {
  Pair p;
  CHECK(p.a->linger() == reactor::Flow::Diverted);
  CHECK(p.hb.unlinked == 1);
  CHECK(p.b->partner() == nullptr);
  p.b->link(*p.a);  // a lingering Conn can be linked by nobody sane, but unlink stays quiet
  p.b->unlink();
  CHECK(p.ha.unlinked == 0);
  CHECK(p.hb.unlinked == 1);
  CHECK(p.a->partner() == nullptr);
}
