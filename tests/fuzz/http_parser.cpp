// SPDX-License-Identifier: MIT
// http_parser — fuzzes the request parser glue (http::Parser, llhttp) and
// make_request the way http::Handler drives them for a proxied answer: heads
// parsed from offset 0 of a buffer chunk whose header table sits after
// max_head bytes; each head answered, dropped (consume + discard), then its
// body streamed on in pieces as the other side has room; pipelined messages
// after it.  The same bytes are delivered whole and split where the fuzzer
// says; both deliveries must give the same events (an error's status may
// differ: which fault llhttp meets first depends on where the bytes break).
//
// Input: the last 5 bytes set max_head (64..4096), max_url and max_headers;
// then, repeatedly, one byte from the end sizes the next read (1..256 bytes)
// taken from the front.  The read sizes also set the body room, in turn.
//
// fuzz: -max_len=4096 -dict=tests/fuzz/http.dict
#include <cstring>
#include <memory>

#include "base/strings.h"
#include "fuzz.h"
#include "http/parser.h"
#include "http/request.h"

namespace {

using Event = http::Parser::Event;

class Driver {
 public:
  Driver(const http::Limits& l, std::string_view stream, const std::vector<size_t>* rooms)
      : limits_(l), stream_(stream), rooms_(rooms) {
    table_off_ = (l.max_head + 7u) & ~size_t{7};
    chunk_size_ = table_off_ + l.max_headers * sizeof(http::Header);
    p_.init(&limits_, nullptr);
  }

  // One arrival of bytes; the session reads at most max_head into its chunk.
  void feed(std::string_view bytes) {
    while (!bytes.empty() && !stopped_) {
      if (len_ == limits_.max_head) {
        if (!forwarding_) return fail("error", 431);  // the head did not fit
        advance();
        if (len_ == limits_.max_head) return stop("stuck: full chunk while forwarding");
        continue;
      }
      if (!chunk_) chunk_.reset(new char[chunk_size_]);
      size_t k = std::min(bytes.size(), limits_.max_head - len_);
      memcpy(chunk_.get() + len_, bytes.data(), k);
      len_ += k;
      bytes.remove_prefix(k);
      advance();
    }
  }
  const std::vector<std::string>& events() const { return events_; }
  std::string why() const { return std::to_string(status_) + " " + (stopped_ ? reason_ : "(running)"); }

 private:
  void stop(std::string e) {
    events_.push_back(std::move(e));
    stopped_ = true;
  }
  void fail(const char* where, int status, const char* reason = "head too large") {
    status_ = status;
    reason_ = reason;
    stop(where);
  }
  const char* buf() const { return chunk_ ? chunk_.get() : kNothing; }
  void consume(size_t n) {
    FUZZ_CHECK(n <= len_);
    memmove(chunk_.get(), chunk_.get() + n, len_ - n);
    len_ -= n;
    at_ += n;
    p_.discard(n);
    // Conn::consume gives an empty chunk back to the pool, where another
    // connection may take it; with one connection the pool's LIFO would
    // return the same chunk and hide a stale table pointer, so here it is
    // freed, and ASan sees any use of it (issue 11, #3).
    if (len_ == 0) chunk_.reset();
  }

  void advance() {
    for (int guard = 0; guard < (1 << 16) && !stopped_; guard++) {
      if (forwarding_) {
        if (!forward()) return;
        continue;
      }
      if (len_ == 0) return;  // in a head with nothing buffered: wait for bytes
      p_.set_table(reinterpret_cast<http::Header*>(chunk_.get() + table_off_));
      Event ev = p_.execute(buf(), len_);
      FUZZ_CHECK(p_.pos() <= len_);
      if (ev == Event::More) return;
      if (ev == Event::Error) return fail("error", p_.error_status(), p_.error_reason());
      FUZZ_CHECK(ev == Event::Head || ev == Event::Upgrade);  // Done only comes while forwarding
      if (!answer(ev == Event::Upgrade)) return;
    }
  }

  // Checks the head and what make_request made of it, then defers the answer.
  bool answer(bool upgrade) {
    const http::Head& h = p_.head();
    const http::Header* t = p_.table();
    const char* b = buf();
    size_t end = p_.pos();
    FUZZ_CHECK(end <= limits_.max_head && h.nheaders <= limits_.max_headers && h.url.len <= limits_.max_url);
    FUZZ_CHECK(h.url.off + h.url.len <= end && h.host < h.nheaders && h.expect < h.nheaders);
    std::string e = std::string(upgrade ? "upgrade " : "head ") + std::to_string(h.nheaders);
    for (uint16_t i = 0; i < h.nheaders; i++) {
      FUZZ_CHECK(t[i].name.off + t[i].name.len <= end && t[i].value.off + t[i].value.len <= end);
      e += " [" + std::string(t[i].name.in(b)) + ": " + std::string(base::trim_ows(t[i].value.in(b))) + "]";
    }
    if (h.method == HTTP_CONNECT || h.method == HTTP_TRACE) return stop("error 405"), false;
    http::Request req;
    int bad = http::make_request(b, &h, t, "", &req);
    e += " " + std::string(req.method) + " " + std::string(req.target);
    if (bad != 0) return stop(e + " -> " + std::to_string(bad)), false;
    FUZZ_CHECK(fuzz::within(req.target, b, end) && fuzz::within(req.query, b, end));
    FUZZ_CHECK(req.path == "*" || req.path == "/" || fuzz::within(req.path, b, end));
    // Absolute-form without a path has the path "/", outside the buffer;
    // origin_form() is then that "/" too, never a span between the two
    // (issue 11, #1).
    std::string_view origin = req.origin_form();
    FUZZ_CHECK(!origin.empty() && (origin == "/" || fuzz::within(origin, b, end)));
    if (h.host >= 0) FUZZ_CHECK(req.host() == base::trim_ows(t[h.host].value.in(b)));
    events_.push_back(e);
    // Only a WebSocket upgrade leaves HTTP (the parser took any other for an
    // ordinary request, issue 11, #2), and the parser is never used again.
    if (upgrade) {
      FUZZ_CHECK(base::has_token(req.header("upgrade"), "websocket") && !h.has_body);
      return stop("handed over " + std::to_string(stream_.size() - at_ - end)), false;
    }
    if (h.expect >= 0 && !base::ieq(req.header("expect"), "100-continue")) return stop("error 417"), false;
    keep_ = h.keep_alive;
    content_length_ = h.chunked ? ~uint64_t{0} : h.content_length;
    forwarded_ = 0;
    consume(end);
    forwarding_ = true;
    return true;
  }

  // http::Handler::forward: the body as far as the other side has room, each
  // piece checked to be exactly the input's bytes.  False: wait for bytes.
  bool forward() {
    size_t room = rooms_.next();
    size_t before = p_.pos(), len = room >= len_ - before ? len_ : before + room;
    Event ev = p_.execute(buf(), len);
    if (ev == Event::Error) return fail("error mid-body", p_.error_status(), p_.error_reason()), false;
    FUZZ_CHECK(p_.pos() >= before && p_.pos() <= len);
    size_t n = p_.pos() - before;
    FUZZ_CHECK(memcmp(buf() + before, stream_.data() + at_ + before, n) == 0);
    forwarded_ += n;
    if (len_ > 0) consume(p_.pos());
    if (ev != Event::Done) {
      FUZZ_CHECK(ev == Event::More);
      return len_ > 0;
    }
    if (content_length_ != ~uint64_t{0}) FUZZ_CHECK(p_.body_seen() == content_length_ && forwarded_ == content_length_);
    FUZZ_CHECK(p_.body_seen() <= forwarded_);
    events_.push_back("done " + std::to_string(p_.body_seen()) + " " + std::to_string(forwarded_));
    forwarding_ = false;
    if (!keep_) stop("close");
    return true;
  }

  static constexpr char kNothing[1] = {0};
  http::Limits limits_;
  std::string_view stream_;
  fuzz::Rooms rooms_;  // body room per forward step
  size_t table_off_ = 0, chunk_size_ = 0;
  std::unique_ptr<char[]> chunk_;
  size_t len_ = 0;
  size_t at_ = 0;  // offset in the stream of chunk_[0]
  http::Parser p_;
  bool stopped_ = false, forwarding_ = false, keep_ = false;
  uint64_t content_length_ = 0, forwarded_ = 0;
  std::vector<std::string> events_;
  int status_ = 0;  // of the error that stopped it
  const char* reason_ = "";
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  http::Limits l;
  l.max_head = in.ConsumeIntegralInRange<uint32_t>(64, 4096);
  l.max_url = in.ConsumeIntegralInRange<uint32_t>(1, l.max_head);
  l.max_headers = in.ConsumeIntegralInRange<uint32_t>(1, 100);
  fuzz::Reads r = fuzz::reads(in, 256);
  if (r.stream.empty()) return 0;
  Driver whole(l, r.stream, nullptr);
  whole.feed(r.stream);
  Driver split(l, r.stream, &r.sizes);
  fuzz::deliver(r, [&split](std::string_view piece) { split.feed(piece); });
  if (whole.events() != split.events()) {
    std::fprintf(stderr, "whole: %s\nsplit: %s\n", whole.why().c_str(), split.why().c_str());
  }
  fuzz::same_events(whole.events(), split.events());
  return 0;
}
