// SPDX-License-Identifier: MIT
// Replays tests/data/http/*.txt through the parser glue, whole and split at
// every byte offset, and byte by byte; every delivery must give the same
// events.  This is where span-continuation bugs in the glue show up.
//
// Case format: "@ name" starts a case; "< text" lines are input (escapes \r
// \n \t \0 \xHH \\; no newline is implied); "> event" lines are the expected
// events: "head METHOD TARGET", "done BODYBYTES", "error STATUS", and
// "upgrade METHOD TARGET +LEFTOVER" (bytes after the head, handed over);
// "! max_headers N" / "! max_url N" / "! max_head N" set limits.
#include <dirent.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "http/parser.h"
#include "http/request.h"

namespace {

struct Case {
  std::string file, name, input;
  std::vector<std::string> expect;
  http::Limits limits;
};

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); i++) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '0': out += '\0'; break;
      case 'x': out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)); i += 2; break;
      default: out += c;
    }
  }
  return out;
}

std::vector<Case> load_cases() {
  std::vector<Case> cases;
  const char* dir = "tests/data/http";
  DIR* d = opendir(dir);
  REQUIRE_MESSAGE(d != nullptr, "run from the repository root");
  std::vector<std::string> files;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n.size() > 4 && n.substr(n.size() - 4) == ".txt") files.push_back(n);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    std::ifstream in(std::string(dir) + "/" + f);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("@ ", 0) == 0) {
        cases.push_back(Case{f, line.substr(2), {}, {}, {}});
      } else if (line.rfind("< ", 0) == 0) {
        cases.back().input += unescape(line.substr(2));
      } else if (line.rfind("> ", 0) == 0) {
        cases.back().expect.push_back(line.substr(2));
      } else if (line.rfind("! ", 0) == 0) {
        std::istringstream ls(line.substr(2));
        std::string key;
        uint32_t v;
        ls >> key >> v;
        if (key == "max_headers") cases.back().limits.max_headers = v;
        if (key == "max_url") cases.back().limits.max_url = v;
        if (key == "max_head") cases.back().limits.max_head = v;
      }
    }
  }
  return cases;
}

// Drives a Parser the way http::Handler does: heads start at offset 0, the
// head is dropped once "answered", body bytes are dropped as they are parsed.
class Driver {
 public:
  explicit Driver(const http::Limits& l) : limits_(l), table_(l.max_headers) { p_.init(&limits_, table_.data()); }

  // Delivers `bytes` as one read would, but never more than the buffer takes
  // (Conn::read stops at max_head); a full buffer mid-head is the 431 case.
  void feed(const std::string& bytes) {
    if (!upgrade_.empty()) handed_over_ += bytes.size();
    size_t off = 0;
    while (off < bytes.size() && !stopped_) {
      if (len_ == limits_.max_head) return stop("error 431");
      size_t k = std::min(bytes.size() - off, static_cast<size_t>(limits_.max_head) - len_);
      memcpy(buf_ + len_, bytes.data() + off, k);
      len_ += k;
      off += k;
      drain();
    }
  }
  void feed_split(const std::string& bytes, size_t at) {
    feed(bytes.substr(0, at));
    feed(bytes.substr(at));
  }
  std::vector<std::string> events() const {
    std::vector<std::string> e = events_;
    if (!upgrade_.empty()) e.push_back(upgrade_ + " +" + std::to_string(handed_over_));
    return e;
  }

 private:
  void stop(const std::string& e) {
    events_.push_back(e);
    stopped_ = true;
  }
  void consume(size_t n) {
    memmove(buf_, buf_ + n, len_ - n);
    len_ -= n;
    p_.discard(n);
  }
  void drain() {
    for (int guard = 0; guard < 1000 && !stopped_; guard++) {
      if (len_ == 0 && p_.in_head()) return;
      using E = http::Parser::Event;
      if (p_.in_head()) p_.set_table(table_.data());  // discard() dropped it
      E ev = p_.execute(buf_, len_);
      if (ev == E::More) {
        if (!p_.in_head()) consume(p_.pos());
        return;
      }
      if (ev == E::Error) return stop("error " + std::to_string(p_.error_status()));
      if (ev == E::Head || ev == E::Upgrade) {
        http::Request req;
        int bad = http::make_request(buf_, &p_.head(), p_.table(), "", &req);
        if (bad != 0) return stop("error " + std::to_string(bad));
        std::string what = std::string(ev == E::Head ? "head " : "upgrade ") + std::string(req.method) + " " +
                           std::string(req.target);
        // An upgrade hands over whatever followed its head, now or later.
        if (ev == E::Upgrade) {
          upgrade_ = what;
          handed_over_ = len_ - p_.pos();
          stopped_ = true;
          return;
        }
        events_.push_back(what);
        consume(p_.pos());
      } else {
        events_.push_back("done " + std::to_string(p_.body_seen()));
        consume(p_.pos());
      }
    }
  }

  http::Limits limits_;
  std::vector<http::Header> table_;
  http::Parser p_;
  char buf_[70000];
  size_t len_ = 0;
  bool stopped_ = false;
  std::vector<std::string> events_;
  std::string upgrade_;       // the upgrade event, once seen
  size_t handed_over_ = 0;    // bytes after its head
};

std::string show(const std::vector<std::string>& v) {
  std::string s;
  for (const std::string& e : v) s += "[" + e + "] ";
  return s;
}

}  // namespace

TEST_CASE("parser cases replay identically whole, split and byte by byte") {
  std::vector<Case> cases = load_cases();
  REQUIRE(cases.size() >= 40);
  for (const Case& c : cases) {
    CAPTURE(c.file);
    CAPTURE(c.name);
    Driver whole(c.limits);
    whole.feed(c.input);
    CHECK_MESSAGE(whole.events() == c.expect, "got " << show(whole.events()) << " want " << show(c.expect));
    for (size_t at = 1; at < c.input.size(); at++) {
      Driver split(c.limits);
      split.feed_split(c.input, at);
      if (split.events() != c.expect) {
        FAIL_CHECK("split at " << at << ": got " << show(split.events()));
        break;
      }
    }
    Driver bytes(c.limits);
    for (char ch : c.input) bytes.feed(std::string(1, ch));
    CHECK_MESSAGE(bytes.events() == c.expect, "byte by byte: got " << show(bytes.events()));
  }
}

TEST_CASE("valid_host") {
  for (const char* ok : {"a", "example.com", "example.com:8080", "127.0.0.1", "127.0.0.1:1", "[::1]",
                         "[::1]:8080", "a-b_c~d", "xn--bcher-kva.example"}) {
    CHECK_MESSAGE(http::valid_host(ok), ok);
  }
  for (const char* bad : {"", "a b", "user@host", "host/path", "host:", "host:99999", "host:80a", "[::1",
                          "[zz]", "[::1]x", ":80", "a:b:c", "host\\x"}) {
    CHECK_MESSAGE(!http::valid_host(bad), bad);
  }
}
