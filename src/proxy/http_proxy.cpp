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

enum class Phase : unsigned char { Connecting, Exchanging, Idle };

struct Exchange {
  llhttp_t parser;             // the response
  Conn* client = nullptr;      // valid while the exchange runs (abandon() clears it)
  const Target* target = nullptr;
  Phase phase = Phase::Connecting;
  bool head_only = false;      // the request was HEAD: the response has no body
  bool html = false;           // the client wants error pages as HTML
  bool client_keep = false;    // the client may keep its connection
  bool request_done = false;   // the whole request body has gone out
  bool head_sent = false;      // the response head went to the client
  bool message_done = false;   // the response ended (on_message_complete)
  bool headers_done = false;
  uint8_t location_len = 0;
  char location_prefix[Forwarding::kMaxLocationPrefix];  // see Forwarding
};

namespace {

int on_headers_complete(llhttp_t* p) {
  auto* e = static_cast<Exchange*>(p->data);
  e->headers_done = true;
  // A response to HEAD has no body whatever its framing says; the pause then
  // comes at its (immediate) end.
  return e->head_only ? 1 : HPE_PAUSED;
}
int on_message_complete(llhttp_t* p) {
  static_cast<Exchange*>(p->data)->message_done = true;
  return HPE_PAUSED;
}

const llhttp_settings_t kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_headers_complete = on_headers_complete;
  s.on_message_complete = on_message_complete;
  return s;
}();

Exchange& exchange_of(Conn& u) { return *static_cast<Exchange*>(u.proto()); }

// "the app on port 3000 cannot be reached": who failed, then how.
std::string_view blame(const Target& t, const char* what, char (&out)[160]) {
  base::Writer w(out, sizeof out);
  w.put(t.who);
  w.put(' ');
  w.put(what);
  return w.ok() ? w.view() : std::string_view(what);
}

}  // namespace

size_t HttpProxy::proto_size() { return sizeof(Exchange); }

Conn* HttpProxy::connect(Conn& client, const Target& t) {
  if (Conn* u = pool_.take(&t)) {
    exchange_of(*u).phase = Phase::Exchanging;
    u->stop_timer();
    return u;
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
  new (u->proto()) Exchange;
  u->set_handler(this);
  exchange_of(*u).target = &t;
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
  Exchange& e = exchange_of(*u);
  llhttp_init(&e.parser, HTTP_RESPONSE, &kSettings);
  e.parser.data = &e;
  e.client = &client;
  e.head_only = req.head_only;
  e.html = req.wants_html();
  e.client_keep = req.head->keep_alive;
  e.request_done = e.head_sent = e.message_done = e.headers_done = false;
  e.location_len = static_cast<uint8_t>(std::min(fw.location_prefix.size(), sizeof e.location_prefix));
  fw.location_prefix.copy(e.location_prefix, e.location_len);
  if (!write_request_head(*u, req, fw)) {
    u->close("request head too large to forward");
    http::render_error(&req, resp, site_, 431, "request head too large to forward");
    return false;
  }
  http_.attach(client, u);
  resp.defer();
  u->start_timer(Timer::Io);
  if (e.phase == Phase::Connecting) {
    u->want(EPOLLOUT);  // connect() completes when writable
  } else if (u->flush() == Io::Error) {
    u->close("write error");
  } else {
    u->want(EPOLLIN | (u->out_pending() ? uint32_t{EPOLLOUT} : 0u));
  }
  return true;
}

size_t HttpProxy::body_room(Conn& client) {
  auto* u = static_cast<Conn*>(http_.attached(client));
  if (u == nullptr || u->closed()) return 1 << 20;  // nothing will take it: let the session read it away
  size_t cap = 0;
  u->out_space(&cap);
  return cap;
}

void HttpProxy::forward_body(Conn& client, const char* p, size_t n, bool last) {
  auto* u = static_cast<Conn*>(http_.attached(client));
  if (u == nullptr || u->closed()) return;
  Exchange& e = exchange_of(*u);
  size_t cap = 0;
  char* out = u->out_space(&cap);
  if (n > 0 && out != nullptr && n <= cap) {
    memcpy(out, p, n);
    u->out_commit(n);
  }
  if (last) e.request_done = true;
  if (e.phase == Phase::Exchanging && u->out_pending() && u->flush() == Io::Error) u->close("write error");
  else if (u->out_pending()) u->want(EPOLLIN | EPOLLOUT);
}

void HttpProxy::on_drained(Conn& client) {
  auto* u = static_cast<Conn*>(http_.attached(client));
  if (u == nullptr || u->closed()) return;
  Exchange& e = exchange_of(*u);
  if (e.message_done) {
    (void)done(*u, e);
    return;
  }
  u->want(EPOLLIN | (u->out_pending() ? uint32_t{EPOLLOUT} : 0u));
  (void)pump(*u, e);  // bytes may be waiting in u's input
}

void HttpProxy::abandon(Conn&, void* answerer) {
  auto* u = static_cast<Conn*>(answerer);
  if (u->closed()) return;
  exchange_of(*u).client = nullptr;
  u->close("client went away");
}

Flow HttpProxy::on_writable(Conn& u) {
  Exchange& e = exchange_of(u);
  if (e.phase == Phase::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(u.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      base::logf(base::Level::Warn, "proxy: connect to %s: %s", e.target->name.c_str(), strerror(err));
      return fail(u, e, 502, "cannot be reached");
    }
    e.phase = Phase::Exchanging;
  }
  if (u.flush() == Io::Error) return fail(u, e, 502, "closed the connection");
  u.want(EPOLLIN | (u.out_pending() ? uint32_t{EPOLLOUT} : 0u));
  if (e.client != nullptr && !e.request_done) (void)http_.resume(*e.client);
  return Flow::Keep;
}

Flow HttpProxy::on_readable(Conn& u) {
  Exchange& e = exchange_of(u);
  if (e.phase == Phase::Idle) {  // a pooled connection: the backend closed it, or spoke out of turn
    u.close("idle backend connection ended");
    return Flow::Closed;
  }
  if (e.phase == Phase::Connecting) return on_writable(u);  // a refused connect shows up as readable too
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
Flow HttpProxy::pump(Conn& u, Exchange& e) {
  Conn* c = e.client;
  if (c == nullptr || c->closed()) {
    u.close("client went away");
    return Flow::Closed;
  }
  static const char kNothing[1] = {0};
  for (int guard = 0; guard < 64 && !e.message_done; guard++) {
    // After the head the parser may finish with no more input (an empty
    // body), so it runs on empty input then too.
    if (u.in_len() == 0 && !e.head_sent) break;
    size_t before = 0, room = 0;
    size_t len = u.in_len();
    if (e.head_sent) {
      c->out_space(&room);
      if (room == 0) break;
      len = len < room ? len : room;
    }
    const char* in = u.in() != nullptr ? u.in() : kNothing;
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
        break;  // more head to come
      }
      if (!copy_head(u, e, used)) return fail(u, e, 502, "sent an unusable response head");
      before = used;  // the head itself is not copied raw
      used = before;
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
        c->close("write error");
        u.close("client went away");
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
bool HttpProxy::copy_head(Conn& u, Exchange& e, size_t head_len) {
  int status = llhttp_get_status_code(&e.parser);
  if (status == 101 || status < 200) return false;  // nothing upgrades here; 1xx is not forwarded
  size_t cap = 0;
  char* p = e.client->out_space(&cap);
  base::Writer w(p, p != nullptr ? cap : 0);
  write_response_head(w, std::string_view(u.in(), head_len), std::string_view(e.location_prefix, e.location_len));
  if (llhttp_message_needs_eof(&e.parser)) e.client_keep = false;  // its end is the backend's close
  if (!http_.keeps(*e.client)) e.client_keep = false;
  if (!e.client_keep) w.put("Connection: close\r\n");
  w.put("\r\n");
  if (!w.ok()) return false;
  e.client->out_commit(w.size());
  e.head_sent = true;
  return true;
}

Flow HttpProxy::done(Conn& u, Exchange& e) {
  Conn* c = e.client;
  if (c == nullptr || c->closed()) {
    u.close("client went away");
    return Flow::Closed;
  }
  if (c->out_pending()) return Flow::Keep;  // on_drained() comes back here
  bool reuse = e.request_done && llhttp_should_keep_alive(&e.parser) && u.in_len() == 0 && !llhttp_message_needs_eof(&e.parser);
  e.client = nullptr;
  bool keep = e.client_keep;
  if (reuse) pool_put(u);
  else u.close("exchange done");
  (void)http_.finish(*c, keep);
  return reuse ? Flow::Keep : Flow::Closed;
}

Flow HttpProxy::fail(Conn& u, Exchange& e, int status, const char* why) {
  Conn* c = e.client;
  e.client = nullptr;
  u.close(why);
  if (c == nullptr || c->closed()) return Flow::Closed;
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
  (void)http_.finish(*c, false);
  return Flow::Closed;
}

void HttpProxy::on_timeout(Conn& u, Timer t) {
  Exchange& e = exchange_of(u);
  if (t == Timer::Pool || e.phase == Phase::Idle) {
    u.close("idle backend connection");
    return;
  }
  (void)fail(u, e, 504, "did not answer in time");
}

void HttpProxy::on_drain(Conn& u) {
  if (exchange_of(u).phase == Phase::Idle) u.close("shutting down");
}

void HttpProxy::on_release(Conn& u) {
  pool_.drop(u);
  exchange_of(u).~Exchange();
  u.set_handler(nullptr);
}

void HttpProxy::pool_put(Conn& u) {
  Exchange& e = exchange_of(u);
  if (!pool_.keep(u, e.target)) {
    u.close("pool full");
    return;
  }
  e.phase = Phase::Idle;
  u.want(EPOLLIN);  // an idle backend connection only ever says EOF
  u.start_timer(Timer::Pool);
}

}  // namespace proxy
