// SPDX-License-Identifier: MIT
// response — writes one response head and body into the connection's output.
//
// Use: begin(status), any header() calls, then exactly one send().  send()
// adds Date, Content-Type, Content-Length and Connection, so every response
// is framed the same way; HEAD gets the head with the length of the body it
// would have had.  A Static body is not copied: it is written straight from
// its storage, which MUST outlive the connection (embedded assets do).
#pragma once

#include <cstddef>
#include <string_view>

#include "base/clock.h"
#include "base/writer.h"
#include "reactor/conn.h"

namespace http {

// Whoever answers a deferred request (Response::defer): a proxy.  The
// connection it answers from is the client's partner (Conn::link) until
// Handler::finish(), so either side's close tells the other.
class Answerer {
 public:
  // How many request body bytes the other side can take now.
  virtual size_t body_room(reactor::Conn& client) = 0;
  // Those bytes, exactly as received and validated (chunk framing included),
  // `done` with the last of them.
  virtual void take_body(reactor::Conn& client, const char* p, size_t n, bool done) = 0;
  // The client took all the output written for it: more can come.
  virtual void on_drained(reactor::Conn& client) = 0;
  // The request body failed to parse: the exchange ends here, and this
  // side lets go of the client.  True when none of its answer has been
  // written for the client, which then hears the error instead.
  virtual bool abandon(reactor::Conn& client) = 0;

 protected:
  ~Answerer() = default;
};

// Whatever a held request waits on (Response::hold): a password check.
class Waiter {
 public:
  // The connection is being freed before its answer: drop what it waits for.
  virtual void on_abandoned(reactor::Conn& client) const = 0;

 protected:
  ~Waiter() = default;
};

class Response {
 public:
  enum class Body : unsigned char { Copy, Static };

  Response(reactor::Conn& c, const base::Clock& clock, bool head_only, bool keep_alive)
      : conn_(c), clock_(clock), head_only_(head_only), keep_alive_(keep_alive) {}
  Response(const Response&) = delete;
  Response& operator=(const Response&) = delete;

  void begin(int status);
  void header(std::string_view name, std::string_view value);
  void send(std::string_view content_type, std::string_view body, Body kind = Body::Copy);
  // A file body of `len` bytes of `fd` from `off`; the connection owns `fd`
  // from here on.
  void send_file(std::string_view content_type, int fd, size_t off, size_t len);

  // Asks for the connection to close after this response (before send()).
  void close_after() { keep_alive_ = false; }
  // The client speaks HTTP/1.0: a connection it asked to keep is kept only
  // if the answer says so (RFC 9112 §9.3), so send() does.
  void http10_client() { http10_ = true; }
  bool keep_alive() const { return keep_alive_; }
  bool sent() const { return sent_; }
  // The answer will come from elsewhere: `a` writes it from `from`, which is
  // linked to this connection from here on; `a` gets the request body.
  void defer(Answerer& a, reactor::Conn& from) {
    conn_.link(from);
    answerer_ = &a;
  }
  Answerer* answerer() const { return answerer_; }
  bool deferred() const { return answerer_ != nullptr; }
  // No answer yet: the route waits on `w` (a password check).  The request,
  // head and body, stays buffered until the router calls Handler::replay(),
  // which runs it again (before send()).
  void hold(const Waiter& w) { waiter_ = &w; }
  const Waiter* waiter() const { return waiter_; }
  bool held() const { return waiter_ != nullptr; }
  int status() const { return status_; }

 private:
  // Writes the framing headers and the blank line; false for a response that
  // carries no body (HEAD, 1xx, 204, 304).
  bool end_head(std::string_view content_type, size_t length);
  void overflow();

  reactor::Conn& conn_;
  const base::Clock& clock_;
  base::Writer w_{nullptr, 0};
  int status_ = 0;
  bool head_only_;
  bool keep_alive_;
  bool sent_ = false;
  bool http10_ = false;
  Answerer* answerer_ = nullptr;
  const Waiter* waiter_ = nullptr;
};

}  // namespace http
