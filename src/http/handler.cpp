// SPDX-License-Identifier: MIT
#include "http/handler.h"
#include "http/conn_state.h"

#include <cerrno>
#include <new>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "base/log.h"
#include "base/strings.h"
#include "base/writer.h"
#include "http/status.h"
#include "reactor/loop.h"

namespace http {

using reactor::Conn;
using reactor::Flow;
using reactor::Io;
using reactor::Timer;

namespace {
// Reads per readable event before other connections get a turn (epoll is
// level-triggered, so what is left is reported again).
constexpr int kReadsPerEvent = 16;
size_t table_offset(uint32_t max_head) { return (max_head + 7u) & ~size_t{7}; }

// The interim answer to Expect: 100-continue, before a body portico reads.
bool write_continue(Conn& c) {
  static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
  size_t cap = 0;
  char* p = c.out_space(&cap);
  if (p == nullptr || cap < kContinue.size()) return false;
  kContinue.copy(p, kContinue.size());
  c.out_commit(kContinue.size());
  return true;
}
}  // namespace

size_t Handler::proto_size() { return sizeof(ConnState); }

size_t Handler::chunk_size() const {
  return table_offset(opts_.limits.max_head) + opts_.limits.max_headers * sizeof(Header);
}

void Handler::adopt(Conn& c) {
  take_over(c);
  c.start_timer(Timer::Head);
}

void Handler::take_over(Conn& c) {
  ConnState* s = new (c.proto()) ConnState;
  s->parser.init(&opts_.limits, nullptr);
  c.set_handler(this);
  c.want(EPOLLIN);
}

void Handler::on_release(Conn& c) {
  ConnState& s = state_of(c);
  if (s.phase == Phase::Hold) s.waiter->on_abandoned(c);
  s.~ConnState();
  c.set_handler(nullptr);
}

void Handler::on_drain(Conn& c) {
  ConnState& s = state_of(c);
  if (s.phase == Phase::Idle && !c.out_pending()) {
    c.close("shutting down");
    return;
  }
  s.close_after = true;
}

// The header table lives in the input chunk, after the bytes it indexes; the
// chunk can change only between messages, so this is set before each parse.
void Handler::set_table(Conn& c, ConnState& s) {
  s.parser.set_table(reinterpret_cast<Header*>(c.in() + table_offset(opts_.limits.max_head)));
}

Flow Handler::on_readable(Conn& c) {
  ConnState& s = state_of(c);
  for (int i = 0; i < kReadsPerEvent; i++) {
    size_t n = 0;
    size_t room = opts_.limits.max_head - c.in_len();
    Io r = c.read(opts_.limits.max_head, &n);
    switch (r) {
      case Io::Again:
        return Flow::Keep;
      case Io::Eof:
        if (s.phase == Phase::Await || s.phase == Phase::Hold) {
          // Half-closed after a whole request: its answer still goes out, and
          // so do those of the requests pipelined behind it; then the
          // connection ends (advance()).
          s.peer_done = true;
          c.want(c.out_pending() ? uint32_t{EPOLLOUT} : 0u);
          return Flow::Keep;
        }
        c.close(s.phase == Phase::Idle ? "peer closed" : "peer closed mid-request");
        return Flow::Closed;
      case Io::Error:
        c.close("read error");
        return Flow::Closed;
      case Io::Full:
        // A deferred answer: the other side is full, or the client sends its
        // next requests early; read no more until resume() or finish().
        if (elsewhere(s.phase)) {
          c.want(c.out_pending() ? uint32_t{EPOLLOUT} : 0u);
          return advance(c, s);
        }
        // The whole head did not fit in max_head bytes.
        return fail(c, s, 431, "request head too large");
      case Io::Ok:
        break;
    }
    if (s.phase == Phase::Idle) {
      s.phase = Phase::Head;
      c.start_timer(Timer::Head);
    } else if (s.phase == Phase::Body || s.phase == Phase::Collect) {
      c.start_timer(Timer::Io);
    }
    Flow f = advance(c, s);
    if (f != Flow::Keep || c.out_pending()) return f;
    // Body bytes the other side could not take yet: read no more for now.
    if (elsewhere(s.phase) && c.in_len() > 0) return Flow::Keep;
    // A read that did not fill the room it had drained the socket: another
    // read() would only say EAGAIN, one wasted syscall per request.
    if (n < room) return Flow::Keep;
  }
  return Flow::Keep;
}

Flow Handler::advance(Conn& c, ConnState& s) {
  for (int i = 0; i < kMaxSteps; i++) {
    if (s.phase == Phase::Await || s.phase == Phase::Hold) return Flow::Keep;  // finish() or replay() goes on
    if (s.phase == Phase::Forward) return forward(c, s);
    if (c.out_pending()) return Flow::Keep;
    // Between a head and its message end the parser may need no more bytes
    // (no body, or the body already buffered), so it runs on empty input too.
    if (c.in_len() == 0 && s.parser.in_head()) return s.peer_done ? linger(c, s) : Flow::Keep;
    if (s.phase == Phase::Collect) {
      if (c.in_len() < s.parser.pos() + s.body_len) return Flow::Keep;
      Request req;
      (void)make_request(c.in(), &s.parser.head(), s.parser.table(), c.peer(), &req);  // checked before
      req.tls = !c.plain();
      req.body = std::string_view(c.in() + s.parser.pos(), s.body_len);
      Flow f = answer(c, s, req, true);
      if (f != Flow::Keep) return f;
      continue;
    }
    if (s.parser.in_head()) set_table(c, s);
    static const char kNothing[1] = {0};
    Parser::Event ev = s.parser.execute(c.in() != nullptr ? c.in() : kNothing, c.in_len());
    switch (ev) {
      case Parser::Event::More:
        if (s.phase == Phase::Body) {  // body bytes are dropped as they come
          c.consume(s.parser.pos());
          s.parser.discard(s.parser.pos());
        }
        return Flow::Keep;
      case Parser::Event::Error:
        return fail(c, s, s.parser.error_status(), s.parser.error_reason());
      case Parser::Event::Head:
      case Parser::Event::Upgrade: {
        Flow f = dispatch(c, s, ev == Parser::Event::Upgrade);
        if (f != Flow::Keep) return f;
        break;
      }
      case Parser::Event::Done:
        c.consume(s.parser.pos());
        s.parser.discard(s.parser.pos());
        if (s.close_after) return linger(c, s);
        s.phase = c.in_len() > 0 ? Phase::Head : Phase::Idle;
        c.start_timer(c.in_len() > 0 ? Timer::Head : Timer::KeepAlive);
        break;
    }
  }
  return Flow::Keep;
}

Flow Handler::dispatch(Conn& c, ConnState& s, bool upgrade) {
  const Head& h = s.parser.head();
  size_t head_len = s.parser.pos();
  // portico is no forward proxy (CONNECT) and echoes nothing back (TRACE).
  if (h.method == HTTP_CONNECT || h.method == HTTP_TRACE) return fail(c, s, 405, "method not allowed");
  Request req;
  int bad = make_request(c.in(), &h, s.parser.table(), c.peer(), &req);
  if (bad != 0) return fail(c, s, bad, "invalid request target");
  req.tls = !c.plain();
  if (!h.keep_alive) s.close_after = true;  // Connection: close, or HTTP/1.0 without keep-alive

  // The one fork of the road: a WebSocket upgrade leaves HTTP here, and this
  // handler's state with it.  The parser took any other upgrade (h2c, ...) for an
  // ordinary request, so it is answered as one, framing and all.
  if (upgrade) {
    Flow f = router_->on_upgrade(c, req, head_len);
    if (f != Flow::Keep) return f;
    c.close("upgrade neither taken nor refused");  // the parser is dead: nothing may go on
    return Flow::Closed;
  }

  std::string_view expect = h.expect >= 0 ? req.header("expect") : std::string_view();
  if (h.expect >= 0 && !base::ieq(expect, "100-continue")) return fail(c, s, 417, "unsupported expectation");

  size_t limit = h.has_body ? router_->body_limit(req) : 0;
  if (limit == 0) return answer(c, s, req, false);
  // The route reads the body: all of it, right after the head in the chunk.
  if (h.chunked) return fail(c, s, 411, "a body here needs a Content-Length");
  if (h.content_length > limit || head_len + h.content_length > opts_.limits.max_head) {
    return fail(c, s, 413, "request body too large");
  }
  s.body_len = static_cast<uint32_t>(h.content_length);
  if (c.in_len() >= head_len + s.body_len) {
    req.body = std::string_view(c.in() + head_len, s.body_len);
    return answer(c, s, req, true);
  }
  s.phase = Phase::Collect;
  c.start_timer(Timer::Io);
  if (h.expect >= 0) {  // the client waits for this before it sends the body
    if (!write_continue(c)) return fail(c, s, 500, "no output buffer");
    return flush(c, s);
  }
  return Flow::Keep;
}

// Runs the route for a request whose head (and body, if the route reads it)
// is complete, then lets the parser go on through whatever body is left.
Flow Handler::answer(Conn& c, ConnState& s, Request& req, bool body_read) {
  const Head& h = s.parser.head();
  size_t head_len = s.parser.pos();
  // Keep the connection only if what follows the head can be framed: a body
  // we read to its end.  With Expect: 100-continue and no 100 sent, the
  // client may or may not send the body after our answer.
  bool drain_body = h.has_body && !h.chunked && (body_read || (h.content_length <= opts_.drain_max && h.expect < 0));
  bool framed = !h.has_body || drain_body;

  Response resp(c, c.loop().clock(), req.head_only, !s.close_after && framed);
  if (h.minor == 0) resp.http10_client();
  Flow f = router_->on_request(c, req, resp);
  if (f != Flow::Keep) return f;
  if (resp.held()) {
    s.waiter = resp.waiter();
    return hold(c, s, body_read || !h.has_body);
  }
  // A deferred answer reads the whole body (it streams it on).
  if (!framed && !resp.deferred()) s.close_after = true;
  if (resp.deferred()) {
    s.answerer = resp.answerer();
    if (h.expect >= 0) (void)write_continue(c);  // the backend never sees Expect: the client waits for us
    // The head stays where it is until the router has copied it; from here
    // the body (if any) streams out as it comes.
    c.consume(head_len);
    s.parser.discard(head_len);
    s.phase = Phase::Forward;
    c.stop_timer();
    return forward(c, s);
  }
  if (!resp.sent()) render_error(&req, resp, site_, 500, "no answer");
  if (!resp.keep_alive()) s.close_after = true;
  base::logf(base::Level::Debug, "conn %llu %.*s: %.*s %.*s -> %d", static_cast<unsigned long long>(c.id()),
             static_cast<int>(c.peer().size()), c.peer().data(), static_cast<int>(req.method.size()),
             req.method.data(), static_cast<int>(req.target.size()), req.target.data(), resp.status());

  // The head is answered; its bytes are no longer referenced.
  c.consume(head_len);
  s.parser.discard(head_len);
  s.phase = h.has_body ? Phase::Body : Phase::Head;
  if (h.has_body) c.start_timer(Timer::Io);
  return flush(c, s);
}

// Answers with the error renderer and ends the connection: after a parse
// error the framing of whatever follows is unknown.
Flow Handler::fail(Conn& c, ConnState& s, int status, const char* why) {
  // Mid-answer, or answered already (the body after it is what failed):
  // a second answer would be read as the next request's.
  if (c.out_pending() || s.phase == Phase::Body || elsewhere(s.phase)) {
    c.close(why);
    return Flow::Closed;
  }
  Request partial;
  const Head& h = s.parser.head();
  partial.base = c.in();
  partial.head = &h;
  partial.table = s.parser.table();
  if (c.in() == nullptr || s.parser.table() == nullptr) partial.head = nullptr;
  return refuse(c, s, partial.head != nullptr ? &partial : nullptr, status, why);
}

// The error page, and the connection ends once it has left (lingering, so
// that unread bytes behind it do not turn the close into a reset that
// destroys the page before the client reads it).
Flow Handler::refuse(Conn& c, ConnState& s, const Request* req, int status, const char* why) {
  base::logf(base::Level::Debug, "conn %llu %.*s: %d: %s", static_cast<unsigned long long>(c.id()),
             static_cast<int>(c.peer().size()), c.peer().data(), status, why);
  s.close_after = true;
  Response resp(c, c.loop().clock(), false, false);
  render_error(req, resp, site_, status, why);
  return flush(c, s);
}

Flow Handler::reject(Conn& c, int status, std::string_view header) {
  ConnState& s = state_of(c);
  size_t cap = 0;
  char* p = c.out_space(&cap);
  base::Writer w(p, p != nullptr ? cap : 0);
  w.put("HTTP/1.1 ");
  w.put_u64(static_cast<uint64_t>(status));
  w.put(' ');
  w.put(reason(status));
  w.put("\r\n");
  if (!header.empty()) {
    w.put(header);
    w.put("\r\n");
  }
  w.put("\r\n");
  if (w.ok()) c.out_commit(w.size());
  s.close_after = true;
  // A status that waits for EPOLLOUT still ends the connection (flush then
  // lingers): the parser is dead after an upgrade, so the caller must let go.
  Flow f = flush(c, s);
  return f == Flow::Keep ? Flow::Diverted : f;
}

Flow Handler::flush(Conn& c, ConnState& s) {
  switch (c.flush()) {
    case Io::Ok:
      if (elsewhere(s.phase)) return Flow::Keep;
      if (s.close_after) return linger(c, s);
      return Flow::Keep;
    case Io::Again:
      c.want(EPOLLOUT);  // stop reading until the answer has left
      c.start_timer(Timer::Io);
      return Flow::Keep;
    default:
      c.close("write error");
      return Flow::Closed;
  }
}

Flow Handler::on_writable(Conn& c) {
  ConnState& s = state_of(c);
  Flow f = flush(c, s);
  if (f != Flow::Keep || c.out_pending()) return f;
  if (s.phase == Phase::Hold) {  // a 100 Continue went out; the answer waits
    c.want(EPOLLIN);
    return Flow::Keep;
  }
  if (s.phase == Phase::Forward || s.phase == Phase::Await) {
    c.want(EPOLLIN);
    s.answerer->on_drained(c);  // may finish() the exchange
    return Flow::Keep;
  }
  c.want(EPOLLIN);
  if (s.phase == Phase::Body) c.start_timer(Timer::Io);
  else if (c.in_len() > 0) c.start_timer(Timer::Head);
  else if (s.phase == Phase::Idle) c.start_timer(Timer::KeepAlive);
  return advance(c, s);  // pipelined requests wait in the input buffer
}

// The answer has left and the connection ends here.
Flow Handler::linger(Conn& c, ConnState&) { return c.linger(); }

void Handler::on_timeout(Conn& c, Timer t) {
  ConnState& s = state_of(c);
  // A silent connection is just closed; a started head gets its 408.
  if (t == Timer::Head && s.phase == Phase::Head && !c.out_pending()) {
    (void)fail(c, s, 408, "request head not received in time");
    return;
  }
  c.close(t == Timer::KeepAlive ? "keep-alive timeout" : t == Timer::Head ? "no request in time" : "i/o timeout");
}

}  // namespace http
