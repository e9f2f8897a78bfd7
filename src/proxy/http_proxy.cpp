// SPDX-License-Identifier: MIT
#include "proxy/http_proxy.h"

#include "proxy/head.h"

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <llhttp.h>
#include <new>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "base/strings.h"
#include "base/writer.h"
#include "reactor/loop.h"

namespace proxy {

using reactor::Conn;
using reactor::Flow;
using reactor::Io;
using reactor::Timer;

// Where an upstream connection is: connecting, carrying one exchange, or
// idle in the pool.
enum class Stage : unsigned char { Connecting, Exchanging, Pooled };

// One upstream connection's state (in its Conn::proto()).  The client is
// its partner (Conn::link) while an exchange runs: either side's close cuts
// the link and tells the other.
struct Upstream {
  llhttp_t parser;             // the response
  const Target* target = nullptr;
  reactor::UseHold use;                 // the target's count, while an exchange is on this connection
  Stage stage = Stage::Connecting;
  bool head_only = false;      // the request was HEAD: the response has no body
  bool html = false;           // the client wants error pages as HTML
  bool request_done = false;   // the whole request body has gone out
  bool head_sent = false;      // the response head went to the client
  bool message_done = false;   // the response ended (on_message_complete)
  bool headers_done = false;
  bool interim = false;        // the head just parsed is a 1xx (not 101): more heads follow
  bool client_http11 = false;  // an HTTP/1.0 client gets no 1xx (RFC 9110 §15.2)
  uint8_t interims = 0;        // 1xx heads seen: bounded, as everything an app sends
  uint32_t head_seen = 0;      // bytes of a head not yet whole that llhttp has parsed: they stay
                               // in u's input until the head is re-written, and are not fed again
  uint8_t location_len = 0;
  char location_prefix[Forwarding::kMaxLocationPrefix];  // see Forwarding
};

namespace {

bool interim(const llhttp_t* p) { return p->status_code >= 100 && p->status_code < 200 && p->status_code != 101; }

int on_headers_complete(llhttp_t* p) {
  auto* e = static_cast<Upstream*>(p->data);
  e->headers_done = true;
  e->interim = interim(p);
  // A response to HEAD, a 1xx, 204 and 304 have no body whatever their
  // framing says (RFC 9110 §6.4.1); llhttp leaves that to its caller, and
  // bytes after such a head would otherwise go on as its "body", where the
  // client reads them as the answer to its next request.  A 1xx pauses at
  // its head (it is re-written on its own); the others pause at their end.
  if (e->interim) {
    p->flags |= F_SKIPBODY;
    return HPE_PAUSED;
  }
  return e->head_only || p->status_code == 204 || p->status_code == 304 ? 1 : HPE_PAUSED;
}
int on_message_complete(llhttp_t* p) {
  auto* e = static_cast<Upstream*>(p->data);
  if (interim(p)) return 0;  // a 1xx has no body; the real answer follows it
  e->message_done = true;
  return HPE_PAUSED;
}

const llhttp_settings_t kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_headers_complete = on_headers_complete;
  s.on_message_complete = on_message_complete;
  return s;
}();

Upstream& upstream_of(Conn& u) { return *static_cast<Upstream*>(u.proto()); }

// "the app on port 3000 cannot be reached": who failed, then how.
std::string_view blame(const Target& t, const char* what, char (&out)[160]) {
  base::Writer w(out, sizeof out);
  w.put(t.who);
  w.put(' ');
  w.put(what);
  return w.ok() ? w.view() : std::string_view(what);
}

}  // namespace

size_t HttpProxy::proto_size() { return sizeof(Upstream); }

Conn* HttpProxy::connect(Conn& client, const Target& t) {
  // A pooled connection whose FIN (or stray bytes) came in this very batch
  // has not had its own event yet: the socket is asked, so a request is
  // never sent down a connection the backend has already ended.
  while (Conn* u = pool_.take(&t)) {
    char probe;
    if (recv(u->fd(), &probe, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      upstream_of(*u).stage = Stage::Exchanging;
      u->stop_timer();
      return u;
    }
    u->close("idle backend connection ended");
  }
  int fd = t.connect();
  if (fd < 0) return nullptr;
  Conn* u = client.loop().open(fd);
  if (u == nullptr) {
    ::close(fd);
    errno = EMFILE;
    return nullptr;
  }
  u->set_peer(t.name);
  new (u->proto()) Upstream;
  u->set_handler(this);
  upstream_of(*u).target = &t;
  return u;
}

bool HttpProxy::start(Conn& client, const http::Request& req, http::Response& resp, const Target& t,
                      const Forwarding& fw) {
  Conn* u = connect(client, t);
  if (u == nullptr) {
    base::logf(base::Level::Warn, "proxy: %s: %s", t.name.c_str(), strerror(errno));
    char message[160];
    http::render_error(&req, resp, site_, 502, blame(t, "cannot be reached", message));
    return false;
  }
  Upstream& e = upstream_of(*u);
  e.use.take(t.use);
  llhttp_init(&e.parser, HTTP_RESPONSE, &kSettings);
  e.parser.data = &e;
  e.head_only = req.head_only;
  e.html = req.wants_html();
  e.client_http11 = req.head->minor >= 1;
  e.request_done = e.head_sent = e.message_done = e.headers_done = e.interim = false;
  e.interims = 0;
  e.head_seen = 0;
  e.location_len = static_cast<uint8_t>(std::min(fw.location_prefix.size(), sizeof e.location_prefix));
  fw.location_prefix.copy(e.location_prefix, e.location_len);
  if (!write_request_head(*u, req, fw)) {
    u->close("request head too large to forward");
    http::render_error(&req, resp, site_, 431, "request head too large to forward");
    return false;
  }
  // A pooled connection can fail its first write (the app closed it while
  // the FIN was in flight): answered here, before anything is linked.
  if (e.stage != Stage::Connecting && u->flush() == Io::Error) {
    u->close("write error");
    char message[160];
    http::render_error(&req, resp, site_, 502, blame(t, "closed the connection", message));
    return false;
  }
  resp.defer(*this, *u);
  u->start_timer(Timer::Io);
  // connect() completes when writable.
  u->want(e.stage == Stage::Connecting ? uint32_t{EPOLLOUT} : EPOLLIN | (u->out_pending() ? uint32_t{EPOLLOUT} : 0u));
  return true;
}

size_t HttpProxy::body_room(Conn& client) {
  Conn* u = client.partner();
  if (u == nullptr) return 1 << 20;  // nothing will take it: let the HTTP handler read it away
  size_t cap = 0;
  u->out_space(&cap);
  return cap;
}

void HttpProxy::take_body(Conn& client, const char* p, size_t n, bool last) {
  Conn* u = client.partner();
  if (u == nullptr) return;
  Upstream& e = upstream_of(*u);
  size_t cap = 0;
  char* out = u->out_space(&cap);
  if (n > 0 && out != nullptr && n <= cap) {
    memcpy(out, p, n);
    u->out_commit(n);
  }
  if (last) e.request_done = true;
  // A write error is not acted on here, inside the client's parse: the
  // socket reports it again as an event of u's own, and fail() runs there.
  if (e.stage == Stage::Exchanging && u->out_pending()) (void)u->flush();
  if (u->out_pending()) u->want(EPOLLIN | EPOLLOUT);
}

void HttpProxy::on_drained(Conn& client) {
  Conn* u = client.partner();
  if (u == nullptr) return;
  Upstream& e = upstream_of(*u);
  if (e.message_done) {
    (void)done(*u, e);
    return;
  }
  u->want(EPOLLIN | (u->out_pending() ? uint32_t{EPOLLOUT} : 0u));
  (void)pump(*u, e);  // bytes may be waiting in u's input
}

bool HttpProxy::abandon(Conn& client) {
  Conn* u = client.partner();
  if (u == nullptr) return false;  // its answer, an error, was given already
  bool untouched = !upstream_of(*u).head_sent;
  u->unlink();  // the client is answered by the caller, not by the close
  u->close("the request body was refused");
  return untouched;
}

void HttpProxy::on_unlinked(Conn& u) { u.close("client went away"); }

Flow HttpProxy::on_writable(Conn& u) {
  Upstream& e = upstream_of(u);
  if (e.stage == Stage::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(u.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      base::logf(base::Level::Warn, "proxy: connect to %s: %s", e.target->name.c_str(), strerror(err));
      return fail(u, e, 502, "cannot be reached");
    }
    e.stage = Stage::Exchanging;
  }
  if (u.flush() == Io::Error) return fail(u, e, 502, "closed the connection");
  u.want(EPOLLIN | (u.out_pending() ? uint32_t{EPOLLOUT} : 0u));
  if (u.partner() != nullptr && !e.request_done) (void)http_.resume(*u.partner());
  return u.closed() ? Flow::Closed : Flow::Keep;  // the client's parse may have ended both
}

Flow HttpProxy::on_readable(Conn& u) {
  Upstream& e = upstream_of(u);
  if (e.stage == Stage::Pooled) {  // a pooled connection: the backend closed it, or spoke out of turn
    u.close("idle backend connection ended");
    return Flow::Closed;
  }
  if (e.stage == Stage::Connecting) return on_writable(u);  // a refused connect shows up as readable too
  size_t n = 0;
  switch (u.read(u.loop().pool().chunk_size(), &n)) {
    case Io::Again:
      return Flow::Keep;
    case Io::Full:
      break;  // the client's output is the bottleneck; pump() copies what fits
    case Io::Ok:
      u.start_timer(Timer::Io);
      break;
    case Io::Eof:
      if (e.headers_done && !e.message_done && llhttp_message_needs_eof(&e.parser)) {
        llhttp_finish(&e.parser);  // a body delimited by the close ends here
        e.message_done = true;
        return done(u, e);
      }
      return fail(u, e, 502, "closed the connection");
    case Io::Error:
      return fail(u, e, 502, "connection failed");
  }
  return pump(u, e);
}

// Moves response bytes from u's input to the client's output, as far as the
// client's output has room; reading u pauses when it has none.
Flow HttpProxy::pump(Conn& u, Upstream& e) {
  Conn* c = u.partner();
  if (c == nullptr) {
    u.close("client went away");
    return Flow::Closed;
  }
  static const char kNothing[1] = {0};
  for (int guard = 0; guard < 64 && !e.message_done; guard++) {
    // After the head the parser may finish with no more input (an empty
    // body), so it runs on empty input then too.
    if (u.in_len() == 0 && !e.head_sent) break;
    size_t room = 0;
    size_t from = e.head_sent ? 0 : e.head_seen;
    size_t len = u.in_len() - from;
    if (e.head_sent) {
      c->out_space(&room);
      if (room == 0) break;
      len = len < room ? len : room;
    }
    const char* in = (u.in() != nullptr ? u.in() : kNothing) + from;
    llhttp_errno_t err = llhttp_execute(&e.parser, in, len);
    size_t used = len;
    if (err == HPE_PAUSED) {
      used = static_cast<size_t>(llhttp_get_error_pos(&e.parser) - in);
      llhttp_resume(&e.parser);
    } else if (err != HPE_OK) {
      return fail(u, e, 502, "sent a malformed response");
    } else if (len == 0) {
      break;  // needs more bytes
    }
    if (!e.head_sent) {
      if (!e.headers_done) {
        if (u.in_len() == u.loop().pool().chunk_size()) return fail(u, e, 502, "response head too large");
        e.head_seen = static_cast<uint32_t>(from + used);
        break;  // more head to come
      }
      used += from;  // the whole head, from the start of u's input
      e.head_seen = 0;
      if (!copy_head(u, e, used)) return fail(u, e, 502, "sent an unusable response head");
    } else {
      size_t cap = 0;
      char* out = c->out_space(&cap);
      if (out == nullptr || used > cap) return fail(u, e, 502, "no output buffer");
      if (used > 0) memcpy(out, in, used);
      c->out_commit(used);
    }
    u.consume(used);
  }
  if (c->out_pending()) {
    switch (c->flush()) {
      case Io::Error:
        c->close("write error");  // and u, its partner, with it
        return Flow::Closed;
      case Io::Again:
        u.want(u.out_pending() ? uint32_t{EPOLLOUT} : 0u);  // until the client drains
        return Flow::Keep;
      case Io::Ok:
        break;
      default:
        break;
    }
  }
  if (e.message_done) return done(u, e);
  u.want(EPOLLIN | (u.out_pending() ? uint32_t{EPOLLOUT} : 0u));
  return Flow::Keep;
}

// Re-writes the response head the parser just validated into the client's
// output: same status and fields, minus the hop-by-hop ones (framing kept).
// A 1xx goes on as it is (103 Early Hints) to an HTTP/1.1 client, but a 100:
// the HTTP handler gave the client its own, and the app's may come unasked.
bool HttpProxy::copy_head(Conn& u, Upstream& e, size_t head_len) {
  int status = llhttp_get_status_code(&e.parser);
  if (status == 101 || status < 100) return false;  // nothing upgrades here
  Conn& c = *u.partner();
  if (e.interim) {
    e.headers_done = e.interim = false;
    if (++e.interims > 8) return false;
    if (status == 100 || !e.client_http11) return true;
  }
  size_t cap = 0;
  char* p = c.out_space(&cap);
  base::Writer w(p, p != nullptr ? cap : 0);
  if (!write_response_head(w, status, std::string_view(u.in(), head_len),
                           std::string_view(e.location_prefix, e.location_len))) {
    return false;
  }
  if (status >= 200) {
    if (llhttp_message_needs_eof(&e.parser)) http_.end_after(c);  // its end is the backend's close
    if (!http_.keeps(c)) w.put("Connection: close\r\n");
    else if (!e.client_http11) w.put("Connection: keep-alive\r\n");  // RFC 9112 §9.3
  }
  w.put("\r\n");
  if (!w.ok()) return false;
  c.out_commit(w.size());
  e.head_sent = status >= 200;
  return true;
}

Flow HttpProxy::done(Conn& u, Upstream& e) {
  Conn* c = u.partner();
  if (c == nullptr) {
    u.close("client went away");
    return Flow::Closed;
  }
  if (c->out_pending()) return Flow::Keep;  // on_drained() comes back here
  bool reuse = e.request_done && llhttp_should_keep_alive(&e.parser) && u.in_len() == 0 && !llhttp_message_needs_eof(&e.parser);
  u.unlink();  // the exchange is over: each goes its own way
  if (reuse) pool_put(u);
  else u.close("exchange done");
  (void)http_.finish(*c);
  return reuse ? Flow::Keep : Flow::Closed;
}

Flow HttpProxy::fail(Conn& u, Upstream& e, int status, const char* why) {
  Conn* c = u.partner();
  u.unlink();  // the client is told here, not by the close
  u.close(why);
  if (c == nullptr) return Flow::Closed;
  if (e.head_sent) {
    // Part of the answer is out: ending the connection is the only honest
    // way to say the rest will not come.
    c->close(why);
    return Flow::Closed;
  }
  base::logf(base::Level::Warn, "proxy: %s: %s", e.target->name.c_str(), why);
  char message[160];
  http::Response resp(*c, c->loop().clock(), e.head_only, false);
  http::render_error(e.html, "/", resp, site_, status, blame(*e.target, why, message));
  http_.end_after(*c);
  (void)http_.finish(*c);
  return Flow::Closed;
}

void HttpProxy::on_timeout(Conn& u, Timer t) {
  Upstream& e = upstream_of(u);
  if (t == Timer::Pool || e.stage == Stage::Pooled) {
    u.close("idle backend connection");
    return;
  }
  (void)fail(u, e, 504, "did not answer in time");
}

void HttpProxy::on_drain(Conn& u) {
  if (upstream_of(u).stage == Stage::Pooled) u.close("shutting down");
}

void HttpProxy::on_release(Conn& u) {
  upstream_of(u).use.drop(u.loop().clock().now_ms());
  pool_.drop(u);
  upstream_of(u).~Upstream();
  u.set_handler(nullptr);
}

void HttpProxy::pool_put(Conn& u) {
  Upstream& e = upstream_of(u);
  e.use.drop(u.loop().clock().now_ms());  // the exchange is over; an idle connection is no use
  if (!pool_.keep(u, e.target)) {
    u.close("pool full");
    return;
  }
  e.stage = Stage::Pooled;
  u.want(EPOLLIN);  // an idle backend connection only ever says EOF
  u.start_timer(Timer::Pool);
}

}  // namespace proxy
