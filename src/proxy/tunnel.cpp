// SPDX-License-Identifier: MIT
#include "proxy/tunnel.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <llhttp.h>
#include <new>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/log.h"
#include "reactor/loop.h"

namespace proxy {

using reactor::Conn;
using reactor::Flow;
using reactor::Io;
using reactor::Timer;

// The other side is the Conn's partner (Conn::link): when either closes, the
// other hears at once and closes too (Handler::on_unlinked's default).
struct Side {
  llhttp_t parser;             // backend side, during the handshake: its answer
  uint64_t bytes = 0;          // read from this side (and passed on)
  int pipe_r = -1, pipe_w = -1;  // splice: read from this side, not yet written to the peer
  size_t piped = 0;
  reactor::UseHold use;                 // backend side: the target's count of open tunnels
  bool backend = false;
  bool handshaking = true;
  bool connecting = false;
  bool headers_done = false;
  bool held = false;           // client, before the 101: its input is full, reading stopped
  bool eof = false;            // this side sent FIN
  bool shut = false;           // ...and the peer was told (shutdown SHUT_WR)
};

namespace {

constexpr size_t kSpliceChunk = 65536;

Side& side_of(Conn& c) { return *static_cast<Side*>(c.proto()); }

int on_headers_complete(llhttp_t* p) {
  static_cast<Side*>(p->data)->headers_done = true;
  return HPE_PAUSED;
}

const llhttp_settings_t kSettings = [] {
  llhttp_settings_t s;
  llhttp_settings_init(&s);
  s.on_headers_complete = on_headers_complete;
  return s;
}();

// Bytes read from this side that the peer has not taken yet.
size_t pending(Conn& c, const Side& s) { return c.in_len() + s.piped; }

void open_pipe(Side& s) {
  int fds[2];
  if (pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;  // no splice for this one: copy
  s.pipe_r = fds[0];
  s.pipe_w = fds[1];
}

}  // namespace

size_t Tunnel::proto_size() { return sizeof(Side); }

Flow Tunnel::start(Conn& client, const http::Request& req, size_t head_len, const Target& t, const Forwarding& fw) {
  int fd = t.connect();
  Conn* u = fd >= 0 ? client.loop().open(fd) : nullptr;
  if (u == nullptr) {
    if (fd >= 0) ::close(fd);
    base::logf(base::Level::Warn, "tunnel: %s: %s", t.name.c_str(), strerror(errno));
    return http_.reject(client, 502);
  }
  u->set_peer(t.name);
  Side* us = new (u->proto()) Side;
  u->set_handler(this);
  if (!write_request_head(*u, req, fw)) {
    u->close("request head too large to forward");
    return http_.reject(client, 431);
  }
  // The head has been copied; what followed it stays in the client's input
  // until the backend agrees to the upgrade.
  client.consume(head_len);
  http_.release(client);
  Side* cs = new (client.proto()) Side;
  client.set_handler(this);
  client.link(*u);
  us->backend = true;
  us->use.take(t.use);
  us->connecting = true;
  llhttp_init(&us->parser, HTTP_RESPONSE, &kSettings);
  us->parser.data = us;
  if (splice_ && client.plain()) {  // the kernel cannot move bytes it must decrypt
    open_pipe(*cs);
    open_pipe(*us);
  }
  client.want(EPOLLIN);  // early(): a client that leaves now is seen now
  u->want(EPOLLOUT);
  client.start_timer(Timer::Tunnel);
  u->start_timer(Timer::Tunnel);
  return Flow::Diverted;
}

void Tunnel::on_release(Conn& c) {
  Side& s = side_of(c);
  s.use.drop(c.loop().clock().now_ms());
  if (s.pipe_r >= 0) ::close(s.pipe_r);
  if (s.pipe_w >= 0) ::close(s.pipe_w);
  s.~Side();
  c.set_handler(nullptr);
}

Flow Tunnel::end(Conn& c, Side& s, const char* why) {
  Conn* peer = c.partner();
  if (peer != nullptr) {
    Conn& client = s.backend ? *peer : c;
    Conn& backend = s.backend ? c : *peer;
    base::logf(base::Level::Debug, "tunnel %.*s <-> %.*s: %s; %llu bytes up, %llu bytes down",
               static_cast<int>(client.peer().size()), client.peer().data(), static_cast<int>(backend.peer().size()),
               backend.peer().data(), why, static_cast<unsigned long long>(side_of(client).bytes),
               static_cast<unsigned long long>(side_of(backend).bytes));
    c.unlink();  // both close for the same reason, said once
    peer->close(why);
  }
  c.close(why);
  return Flow::Closed;
}

// A backend that will not upgrade: the client gets a bare 502, nothing else.
Flow Tunnel::refuse(Conn& u, const char* why) {
  base::logf(base::Level::Warn, "tunnel: %.*s: %s", static_cast<int>(u.peer().size()), u.peer().data(), why);
  Conn* client = u.partner();
  u.unlink();  // the client stays, for its 502
  u.close(why);
  if (client == nullptr) return Flow::Closed;
  static constexpr std::string_view k502 = "HTTP/1.1 502 Bad Gateway\r\n\r\n";
  size_t cap = 0;
  char* p = client->out_space(&cap);
  if (p != nullptr && cap >= k502.size()) {
    k502.copy(p, k502.size());
    client->out_commit(k502.size());
  }
  if (client->flush() != Io::Ok) {
    client->close(why);
    return Flow::Closed;
  }
  (void)client->linger();
  return Flow::Closed;
}

Flow Tunnel::handshake(Conn& u, Side& s) {
  size_t n = 0;
  switch (u.read(u.loop().pool().chunk_size(), &n)) {
    case Io::Again:
      return Flow::Keep;
    case Io::Ok:
      break;
    case Io::Full:
      return refuse(u, "upgrade answer head too large");
    case Io::Eof:
    case Io::Error:
      return refuse(u, "the backend closed before answering the upgrade");
  }
  // Only the bytes just read: what came before is parsed already, and stays
  // in the buffer (from its start) until the head is whole.
  llhttp_errno_t err = llhttp_execute(&s.parser, u.in() + u.in_len() - n, n);
  if (err == HPE_OK && !s.headers_done) return Flow::Keep;
  if (err != HPE_PAUSED || !s.headers_done) return refuse(u, "malformed upgrade answer");
  if (llhttp_get_status_code(&s.parser) != 101) return refuse(u, "the backend did not upgrade");
  // The 101 goes to the client as the backend wrote it; what follows it is
  // already the new protocol.
  size_t head_len = static_cast<size_t>(llhttp_get_error_pos(&s.parser) - u.in());
  Conn& client = *u.partner();
  size_t cap = 0;
  char* out = client.out_space(&cap);
  if (out == nullptr || cap < head_len) return refuse(u, "upgrade answer head too large");
  memcpy(out, u.in(), head_len);
  client.out_commit(head_len);
  u.consume(head_len);
  s.handshaking = false;
  side_of(client).handshaking = false;
  Flow f = relay(u, s);  // frames the backend sent right after its 101
  if (f != Flow::Keep) return f;
  return relay(client, side_of(client));  // frames the client sent with its request
}

// Writes what `from` holds into `to`: to's own output first (the 101, or TLS
// records the engine still holds), then from's input chunk, then from's
// pipe.  False on a write error.
bool Tunnel::flush_into(Conn& to, Conn& from, Side& f) {
  if (to.out_pending()) {
    if (to.flush() == Io::Error) return false;
    if (to.out_pending()) return true;
  }
  while (from.in_len() > 0) {
    size_t sent = 0;
    Io r = to.send(from.in(), from.in_len(), &sent);
    if (r == Io::Error) return false;
    if (sent == 0) return true;
    from.consume(sent);
  }
  while (f.piped > 0) {
    ssize_t m = splice(f.pipe_r, nullptr, to.fd(), nullptr, f.piped, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
    if (m > 0) {
      f.piped -= static_cast<size_t>(m);
      continue;
    }
    if (m < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
  return true;
}

void Tunnel::interest(Conn& c, Side& s) {
  Conn* peer = c.partner();
  if (c.closed() || peer == nullptr) return;
  Side& p = side_of(*peer);
  bool reading = !s.handshaking && !s.eof && pending(c, s) == 0;
  bool writing = pending(*peer, p) > 0 || c.out_pending() || (s.backend && s.connecting);
  c.want((reading ? uint32_t{EPOLLIN} : 0u) | (writing ? uint32_t{EPOLLOUT} : 0u));
}

// Moves bytes from `from` to its peer until one side has to wait.
Flow Tunnel::relay(Conn& from, Side& f) {
  Conn& to = *from.partner();
  Side& t = side_of(to);
  for (int guard = 0; guard < 64; guard++) {
    if (!flush_into(to, from, f)) return end(from, f, "write error");
    if (pending(from, f) > 0 || to.out_pending()) break;  // `to` is full
    if (f.eof) {
      if (!f.shut) {
        (void)to.shut_write();  // the half-close goes on, as close_notify over TLS
        f.shut = true;
      }
      break;
    }
    size_t n = 0;
    if (splice_ && f.pipe_w >= 0 && from.in_len() == 0) {
      ssize_t m = splice(from.fd(), nullptr, f.pipe_w, nullptr, kSpliceChunk, SPLICE_F_NONBLOCK | SPLICE_F_MOVE);
      if (m > 0) {
        f.piped += static_cast<size_t>(m);
        f.bytes += static_cast<uint64_t>(m);
      } else if (m == 0) {
        f.eof = true;
      } else if (errno == EAGAIN) {
        break;
      } else if (errno != EINTR) {
        return end(from, f, "read error");
      }
      continue;
    }
    switch (from.read(from.loop().pool().chunk_size(), &n)) {
      case Io::Ok:
        f.bytes += n;
        continue;
      case Io::Eof:
        f.eof = true;
        continue;
      case Io::Again:
      case Io::Full:
        break;
      case Io::Error:
        return end(from, f, "read error");
    }
    break;
  }
  from.start_timer(Timer::Tunnel);
  to.start_timer(Timer::Tunnel);
  if (f.shut && t.shut && pending(from, f) == 0 && pending(to, t) == 0) return end(from, f, "closed both ways");
  interest(from, f);
  interest(to, t);
  return Flow::Keep;
}

Flow Tunnel::on_readable(Conn& c) {
  Side& s = side_of(c);
  if (c.partner() == nullptr) {
    c.close("tunnel peer gone");
    return Flow::Closed;
  }
  if (s.handshaking) return s.backend ? handshake(c, s) : early(c, s);
  return relay(c, s);
}

// The client while the backend has not answered: what it sends waits in its
// input (a browser sends nothing before the 101), and its leaving ends both
// at once.  Once its input is full it is no longer read; then only a hang-up
// or an error, which epoll reports whatever is wanted, can call here again,
// and that ends it rather than waking every turn until the backend answers.
Flow Tunnel::early(Conn& c, Side& s) {
  if (s.held) return end(c, s, "the client left before the upgrade was answered");
  for (int i = 0; i < 4; i++) {
    size_t n = 0;
    switch (c.read(c.loop().pool().chunk_size(), &n)) {
      case Io::Ok:
        continue;
      case Io::Again:
        return Flow::Keep;
      case Io::Full:
        s.held = true;
        c.want(0);
        return Flow::Keep;
      case Io::Eof:
      case Io::Error:
        return end(c, s, "the client left before the upgrade was answered");
    }
  }
  return Flow::Keep;
}

Flow Tunnel::on_writable(Conn& c) {
  Side& s = side_of(c);
  if (c.partner() == nullptr) {
    c.close("tunnel peer gone");
    return Flow::Closed;
  }
  if (s.backend && s.connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return refuse(c, strerror(err));
    s.connecting = false;
    if (c.flush() == Io::Error) return refuse(c, "write error");
    c.want(EPOLLIN | (c.out_pending() ? uint32_t{EPOLLOUT} : 0u));
    return Flow::Keep;
  }
  if (s.handshaking) {  // the request head still going out
    if (c.flush() == Io::Error) return refuse(c, "write error");
    c.want(EPOLLIN | (c.out_pending() ? uint32_t{EPOLLOUT} : 0u));
    return Flow::Keep;
  }
  return relay(*c.partner(), side_of(*c.partner()));  // the peer's bytes waited for room here
}

void Tunnel::on_timeout(Conn& c, Timer) { (void)end(c, side_of(c), "idle"); }

void Tunnel::on_drain(Conn& c) {
  if (!c.closed()) (void)end(c, side_of(c), "shutting down");
}

}  // namespace proxy
