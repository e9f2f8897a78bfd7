// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <cerrno>
#include <fcntl.h>
#include <string>
#include <sys/socket.h>
#include <unistd.h>

#include "base/line_sink.h"

namespace {

// A non-blocking pipe (or socket pair) nobody reads until told to.
struct Stall {
  int r = -1, w = -1;
  explicit Stall(bool socket = false) {
    int fds[2];
    if (socket) REQUIRE(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    else REQUIRE(pipe(fds) == 0);
    r = fds[0];
    w = fds[1];
    REQUIRE(fcntl(w, F_SETFL, fcntl(w, F_GETFL) | O_NONBLOCK) == 0);
    REQUIRE(fcntl(r, F_SETFL, fcntl(r, F_GETFL) | O_NONBLOCK) == 0);
  }
  ~Stall() {
    close(r);
    close(w);
  }
  // Fills the descriptor with "f...\n" lines, then empty ones, until it
  // takes not one byte more.
  void fill() {
    std::string filler(99, 'f');
    filler += '\n';
    for (const std::string& l : {filler, std::string("\n")}) {
      for (int i = 0; i < 1000000 && write(w, l.data(), l.size()) > 0; i++) {
      }
      REQUIRE((errno == EAGAIN || errno == EWOULDBLOCK));
    }
  }
  std::string drain() {
    std::string got;
    char buf[65536];
    for (int i = 0; i < 1000; i++) {
      ssize_t k = read(r, buf, sizeof buf);
      if (k <= 0) break;
      got.append(buf, static_cast<size_t>(k));
    }
    return got;
  }
};

std::string line(int i) { return "portico: info: line " + std::to_string(i) + " " + std::string(40, 'x') + "\n"; }

// What is left once the filler lines are taken out; each must be whole.
std::string without_filler(const std::string& got) {
  std::string out;
  size_t start = 0;
  while (start < got.size()) {
    size_t nl = got.find('\n', start);
    REQUIRE(nl != std::string::npos);
    std::string l = got.substr(start, nl + 1 - start);
    if (l != std::string(99, 'f') + "\n" && l != "\n") out += l;
    start = nl + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("LineSink writes at once while the reader keeps up") {
  Stall s;
  char buf[256];
  base::LineSink sink(buf, sizeof buf, s.w);
  sink.put(line(1).data(), line(1).size());
  sink.put(line(2).data(), line(2).size());
  CHECK_FALSE(sink.pending());
  CHECK(s.drain() == line(1) + line(2));
}

TEST_CASE("LineSink queues, then counts, and says so at the gap once the reader is back") {
  Stall s;
  s.fill();
  char buf[200];  // room for three 63-byte lines, not four
  base::LineSink sink(buf, sizeof buf, s.w);
  REQUIRE(line(1).size() == 63);
  for (int i = 1; i <= 10; i++) sink.put(line(i).data(), line(i).size());
  CHECK(sink.queued() == 3 * line(1).size());
  CHECK(sink.dropped() == 7);
  sink.flush();  // still stalled: nothing moves
  CHECK(sink.queued() == 3 * line(1).size());

  std::string got = s.drain();
  for (int i = 0; i < 8 && sink.pending(); i++) {  // as on each EPOLLOUT
    sink.flush();
    got += s.drain();
  }
  CHECK_FALSE(sink.pending());
  CHECK(without_filler(got) ==
        line(1) + line(2) + line(3) + "portico: warn: log: 7 lines dropped: stderr was not being read\n");
  sink.put(line(11).data(), line(11).size());  // back to writing at once
  CHECK_FALSE(sink.pending());
  CHECK(s.drain() == line(11));
}

TEST_CASE("LineSink keeps later lines behind the gap until its count is out") {
  Stall s;
  s.fill();
  char buf[200];
  base::LineSink sink(buf, sizeof buf, s.w);
  for (int i = 1; i <= 5; i++) sink.put(line(i).data(), line(i).size());  // 3 queued, 2 dropped
  std::string got = s.drain();
  sink.put(line(6).data(), line(6).size());  // flushes first: the count goes before it
  got += s.drain();
  CHECK(without_filler(got) ==
        line(1) + line(2) + line(3) + "portico: warn: log: 2 lines dropped: stderr was not being read\n" + line(6));
}

TEST_CASE("LineSink never splits a line when the pipe has less room than it") {
  Stall s;
  REQUIRE(fcntl(s.w, F_SETPIPE_SZ, 4096) == 4096);  // one page
  std::string part(3999, 'p');
  part += '\n';
  REQUIRE(write(s.w, part.data(), part.size()) == 4000);  // 96 bytes left
  char buf[1024];
  base::LineSink sink(buf, sizeof buf, s.w);
  std::string big = "portico: info: " + std::string(200, 'b') + "\n";
  sink.put(big.data(), big.size());
  CHECK(sink.queued() == big.size());  // it did not fit: none of it went
  std::string got = s.drain();
  CHECK(got == part);
  sink.flush();
  CHECK(s.drain() == big);
}

TEST_CASE("LineSink over a socket keeps lines whole and in order") {
  Stall s(true);
  s.fill();
  char buf[4096];
  base::LineSink sink(buf, sizeof buf, s.w);
  sink.set_socket(true);
  std::string want;
  for (int i = 0; i < 40; i++) {
    sink.put(line(i).data(), line(i).size());
    want += line(i);
  }
  CHECK(sink.dropped() == 0);
  std::string got;
  for (int i = 0; i < 100 && sink.pending(); i++) {
    got += s.drain();
    sink.flush();
  }
  got += s.drain();
  CHECK(without_filler(got) == want);
}
