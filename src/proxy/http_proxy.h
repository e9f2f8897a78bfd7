// SPDX-License-Identifier: MIT
// http_proxy — forwards one HTTP request at a time to a backend and streams
// the answer back, on a pool of kept-alive backend connections.
//
// The client's request head is re-written in canonical form (one Host, the
// framing header the parser validated, no hop-by-hop fields, portico's
// session cookie removed, X-Forwarded-For/-Proto/-Host set); its body and
// the response body pass through byte for byte, as llhttp validated them,
// never more at once than the other side has room for, so a 20 MB file
// costs one buffer, not 20 MB.  The response head is re-written the same
// way.  A response cut short ends the client's connection: it is never
// passed off as complete.  A backend that cannot be reached gets a 502 page.
//
// This is the handler of the backend Conns; the client stays with its HTTP
// handler, which waits (deferred answer) and is told when the answer is done.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/error_page.h"
#include "http/request.h"
#include "http/response.h"
#include "http/handler.h"
#include "proxy/head.h"
#include "proxy/pool.h"
#include "proxy/target.h"
#include "reactor/conn.h"

namespace proxy {

struct Upstream;

class HttpProxy final : public reactor::Handler, public http::Answerer {
 public:
  HttpProxy(http::Handler& http, const http::Site& site) : http_(http), site_(site) {}
  static size_t proto_size();

  // Forwards `req` (its head still in client.in()) to `t`.  On true, `resp`
  // is deferred and the answer will come; on false, `resp` holds an error.
  bool start(reactor::Conn& client, const http::Request& req, http::Response& resp, const Target& t,
             const Forwarding& fw);

  // The client's side of a deferred answer (http::Answerer).
  size_t body_room(reactor::Conn& client) override;
  void take_body(reactor::Conn& client, const char* p, size_t n, bool done) override;
  void on_drained(reactor::Conn& client) override;
  bool abandon(reactor::Conn& client) override;

  reactor::Flow on_readable(reactor::Conn& u) override;
  reactor::Flow on_writable(reactor::Conn& u) override;
  void on_timeout(reactor::Conn& u, reactor::Timer t) override;
  void on_drain(reactor::Conn& u) override;
  void on_release(reactor::Conn& u) override;
  void on_unlinked(reactor::Conn& u) override;

 private:
  reactor::Conn* connect(reactor::Conn& client, const Target& t);
  reactor::Flow pump(reactor::Conn& u, Upstream& e);
  bool copy_head(reactor::Conn& u, Upstream& e, size_t head_len);
  reactor::Flow done(reactor::Conn& u, Upstream& e);
  reactor::Flow fail(reactor::Conn& u, Upstream& e, int status, const char* why);
  void pool_put(reactor::Conn& u);

  http::Handler& http_;
  const http::Site& site_;
  Pool pool_;
};

}  // namespace proxy
