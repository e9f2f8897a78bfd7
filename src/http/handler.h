// SPDX-License-Identifier: MIT
// handler — HTTP/1.1 on one connection: read, parse, dispatch, answer, repeat.
//
// Requests are handled strictly one at a time, in order (serial pipelining):
// the parser pauses after each head, the Router answers, and parsing resumes
// only once that answer has left.  Reading stops while an answer is waiting
// for the socket, which is the whole of the backpressure here.
//
// Bodies: a route that reads one (Router::body_limit) gets it whole in
// req.body, read into the input chunk right after the head; only
// Content-Length bodies are taken (411 for chunked, 413 beyond the limit).
// Any other body is drained (read and dropped) when its declared length is
// small, so the connection stays usable; otherwise the answer says
// "Connection: close" and the connection ends after a lingering close.
// Either way the next bytes are never taken for a request (no CL.0 desync).
//
// Deferred answers (a proxy): the route calls Response::defer(answerer,
// from); the handler then streams the request body to the Answerer as it
// arrives (never more than the other side has room for), parses nothing
// after it, and waits for finish().  The proxy writes the answer straight
// into the Conn's output.
//
// Held answers (a password check on the worker thread): the route calls
// Response::hold(waiter) after reading the whole body; the request stays in
// the input chunk, nothing more is parsed, and replay() later runs the
// router on it again, which then answers as usual.  Until then the Io timer
// runs; a connection freed before replay() tells its Waiter.
//
// The Handler is shared by all HTTP connections; ConnState is the per-connection
// state kept in Conn::proto().
#pragma once

#include <cstdint>

#include "base/clock.h"
#include "http/error_page.h"
#include "http/parser.h"
#include "http/request.h"
#include "http/response.h"
#include "reactor/conn.h"

namespace http {

class Router {
 public:
  // An ordinary request: answer through `resp` and return Keep, or close.
  virtual reactor::Flow on_request(reactor::Conn& c, const Request& req, Response& resp) = 0;
  // A WebSocket upgrade request whose head fills the first `head_len` bytes of
  // c.in().  The router takes the connection over: it diverts it to another
  // handler (the ConnState is destroyed first) or answers with a raw status and
  // closes it.  Never returns Keep.
  virtual reactor::Flow on_upgrade(reactor::Conn& c, const Request& req, size_t head_len) = 0;
  // The largest body the route for `req` reads before answering (it then
  // finds it in req.body), or 0 when it reads none.
  virtual size_t body_limit(const Request& req) = 0;

 protected:
  ~Router() = default;
};

struct Options {
  Limits limits;
  uint64_t drain_max = 65536;   // largest request body read and dropped to keep a connection
};

struct ConnState;

class Handler final : public reactor::Handler {
 public:
  Handler(const Options& opts, const Site& site, Router* router) : opts_(opts), site_(site), router_(router) {}

  // Bytes of Conn::proto() storage a ConnState needs, and of each buffer chunk
  // (the head plus its header table).
  static size_t proto_size();
  size_t chunk_size() const;

  // Makes `c` an HTTP connection and starts its first head deadline.
  void adopt(reactor::Conn& c);
  // The same for a connection whose head deadline already runs from accept
  // (FirstByte's): a TLS handshake gets no time of its own.
  void take_over(reactor::Conn& c);
  // Answers an upgrade request the WebSocket route table refused with a bare
  // status line (no page: the client is a WebSocket, not a browser tab) and
  // ends the connection.  `header` is one optional "Name: value" line.
  reactor::Flow reject(reactor::Conn& c, int status, std::string_view header = {});
  // A deferred answer is complete (its bytes are in c's output): go on with
  // the next request, or end the connection unless keeps().
  reactor::Flow finish(reactor::Conn& c);
  // Whether `c` is an HTTP connection waiting for replay().
  bool held(reactor::Conn& c) const;
  // Runs the router again on the held request of `c` (see above); a no-op
  // unless held(c).
  reactor::Flow replay(reactor::Conn& c);
  // The other side of a deferred request has room for more of its body.
  reactor::Flow resume(reactor::Conn& c);
  // The one answer to whether the connection goes on after the current
  // answer: not once the client asked to close, the server drains, the
  // client half-closed, the framing of what follows is in doubt, or the
  // answer itself ends with the close (end_after()).  An answer says
  // "Connection: close" when it is false.
  bool keeps(reactor::Conn& c) const;
  // The current answer is delimited by the close (or cannot be finished):
  // the connection ends after it.
  void end_after(reactor::Conn& c);
  // Tears the ConnState down so that another protocol can take `c` over.
  void release(reactor::Conn& c) { on_release(c); }

  reactor::Flow on_readable(reactor::Conn& c) override;
  reactor::Flow on_writable(reactor::Conn& c) override;
  void on_timeout(reactor::Conn& c, reactor::Timer t) override;
  // Shutdown: closes `c` if it is between requests, else lets the request in
  // flight finish and closes after its answer.
  void on_drain(reactor::Conn& c) override;
  void on_release(reactor::Conn& c) override;
  void on_unlinked(reactor::Conn& c) override;

 private:
  reactor::Flow advance(reactor::Conn& c, ConnState& s);
  reactor::Flow dispatch(reactor::Conn& c, ConnState& s, bool upgrade);
  reactor::Flow answer(reactor::Conn& c, ConnState& s, Request& req, bool body_read);
  reactor::Flow forward(reactor::Conn& c, ConnState& s);
  reactor::Flow hold(reactor::Conn& c, ConnState& s, bool whole);
  reactor::Flow fail(reactor::Conn& c, ConnState& s, int status, const char* why);
  reactor::Flow refuse(reactor::Conn& c, ConnState& s, const Request* req, int status, const char* why);
  reactor::Flow flush(reactor::Conn& c, ConnState& s);
  reactor::Flow linger(reactor::Conn& c, ConnState& s);
  void set_table(reactor::Conn& c, ConnState& s);

  const Options& opts_;
  const Site& site_;
  Router* router_;
};

}  // namespace http
