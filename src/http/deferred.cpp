// SPDX-License-Identifier: MIT
// deferred — answers that come from elsewhere: a proxy's (the request body
// streamed to the router as the other side has room for it, then finish()),
// and held ones (the request kept whole until replay() runs it again).
#include <sys/epoll.h>

#include "http/handler.h"
#include "http/conn_state.h"

namespace http {

using reactor::Conn;
using reactor::Flow;
using reactor::Timer;

bool Handler::keeps(Conn& c) const { return !state_of(c).close_after; }
void Handler::end_after(Conn& c) { state_of(c).close_after = true; }

// The answerer went away without finish(): whatever part of the answer is
// out, the rest will not come, and only closing says so.
void Handler::on_unlinked(Conn& c) { c.close("the answering side went away"); }

// Streams the request body of a deferred answer: the parser validates it
// and finds its end; the bytes themselves go on as they came.
Flow Handler::forward(Conn& c, ConnState& s) {
  for (int i = 0; i < kMaxSteps; i++) {
    size_t room = s.answerer->body_room(c);
    if (room == 0) {
      c.want(c.out_pending() ? uint32_t{EPOLLOUT} : 0u);  // resume() wakes it up
      return Flow::Keep;
    }
    static const char kNothing[1] = {0};
    const char* buf = c.in() != nullptr ? c.in() : kNothing;
    size_t before = s.parser.pos();
    size_t len = c.in_len() < before + room ? c.in_len() : before + room;
    Parser::Event ev = s.parser.execute(buf, len);
    if (ev == Parser::Event::Error) {
      // Mid-body: the client hears why, unless part of an answer is out.
      bool untouched = s.answerer->abandon(c);
      s.answerer = nullptr;
      s.phase = Phase::Body;  // nothing after this is read as a request
      if (!untouched || c.out_pending()) {
        c.close(s.parser.error_reason());
        return Flow::Closed;
      }
      return refuse(c, s, nullptr, s.parser.error_status(), s.parser.error_reason());
    }
    size_t n = s.parser.pos() - before;
    bool done = ev == Parser::Event::Done;
    s.answerer->take_body(c, buf + before, n, done);
    c.consume(s.parser.pos());
    s.parser.discard(s.parser.pos());
    if (done) {
      // Reading stays on: it sees the client leave, and early bytes of its
      // next request just wait in the buffer (a full buffer pauses it).
      s.phase = Phase::Await;
      return Flow::Keep;
    }
    if (c.in_len() == 0) {
      c.want(EPOLLIN | (c.out_pending() ? uint32_t{EPOLLOUT} : 0u));
      return Flow::Keep;
    }
  }
  return Flow::Keep;
}

Flow Handler::finish(Conn& c) {
  ConnState& s = state_of(c);
  c.unlink();
  s.answerer = nullptr;
  // An answer that came before the whole request body: the connection
  // cannot go on, and what is left of the body is only read away (Body),
  // never as a request that would get an answer of its own.
  bool early = s.phase != Phase::Await;
  if (early) s.close_after = true;
  s.phase = early ? Phase::Body : c.in_len() > 0 ? Phase::Head : Phase::Idle;
  Flow f = flush(c, s);
  if (f != Flow::Keep || c.out_pending()) return f;
  c.want(EPOLLIN);
  c.start_timer(c.in_len() > 0 ? Timer::Head : Timer::KeepAlive);
  return advance(c, s);
}

Flow Handler::resume(Conn& c) {
  ConnState& s = state_of(c);
  return s.phase == Phase::Forward ? forward(c, s) : Flow::Keep;
}

// Only a request read whole can be run again: a body still on the wire
// would be parsed as the next request.
Flow Handler::hold(Conn& c, ConnState& s, bool whole) {
  if (!whole) {
    c.close("a route held an answer without reading the body");
    return Flow::Closed;
  }
  s.phase = Phase::Hold;
  c.start_timer(Timer::Io);  // what waits here never waits unbounded
  c.want(c.out_pending() ? uint32_t{EPOLLOUT} : uint32_t{EPOLLIN});
  return Flow::Keep;
}

bool Handler::held(Conn& c) const { return c.handler() == this && state_of(c).phase == Phase::Hold; }

// The head and its table are where the parser left them: nothing is consumed
// while held (later bytes are appended after the body), so the request is
// rebuilt exactly as it was first answered.
Flow Handler::replay(Conn& c) {
  if (!held(c)) return Flow::Keep;
  ConnState& s = state_of(c);
  Request req;
  (void)make_request(c.in(), &s.parser.head(), s.parser.table(), c.peer(), &req);  // checked before
  req.tls = !c.plain();
  if (s.parser.head().has_body) req.body = std::string_view(c.in() + s.parser.pos(), s.body_len);
  s.phase = Phase::Collect;
  s.waiter = nullptr;
  Flow f = answer(c, s, req, true);
  if (f != Flow::Keep || c.out_pending()) return f;
  c.want(EPOLLIN);  // reading may have paused on a full buffer while held
  return advance(c, s);
}

}  // namespace http
