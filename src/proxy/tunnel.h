// SPDX-License-Identifier: MIT
// tunnel — an upgraded connection relayed to a backend byte for byte.
//
// Handshake: the request head (canonical, see head.h) goes to the backend;
// nothing the client sent after its head moves until the backend answers
// 101, so a backend that refuses never reads WebSocket frames as HTTP.  A
// 101 is passed to the client as the backend wrote it (llhttp validated it);
// anything else gets a bare 502 and both connections end.
//
// Relay (s6-ioconnect's shape): one buffer per direction, the reading side's
// input chunk; a side whose peer cannot take more stops being read; EOF on a
// side is passed on as shutdown(SHUT_WR) once its bytes are out; when both
// directions are done, or either fails, both connections close, with the
// byte counts in the log line.  With splicing on, bytes move socket → pipe →
// socket inside the kernel (splice(2)) whenever no userspace bytes are
// waiting (relayd's dirty-buffer rule); the copy path stays for the rest.
#pragma once

#include <cstddef>

#include "http/request.h"
#include "http/handler.h"
#include "proxy/head.h"
#include "proxy/target.h"
#include "reactor/conn.h"

namespace proxy {

struct Side;

class Tunnel final : public reactor::Handler {
 public:
  Tunnel(http::Handler& http, bool use_splice) : http_(http), splice_(use_splice) {}
  static size_t proto_size();

  // Forwards the upgrade request whose head fills client.in()[0, head_len) to
  // `t` and takes the client over.  Never returns Keep.
  reactor::Flow start(reactor::Conn& client, const http::Request& req, size_t head_len, const Target& t,
                      const Forwarding& fw);

  reactor::Flow on_readable(reactor::Conn& c) override;
  reactor::Flow on_writable(reactor::Conn& c) override;
  void on_timeout(reactor::Conn& c, reactor::Timer t) override;
  void on_drain(reactor::Conn& c) override;
  void on_release(reactor::Conn& c) override;

 private:
  reactor::Flow handshake(reactor::Conn& u, Side& s);
  reactor::Flow early(reactor::Conn& client, Side& s);
  reactor::Flow relay(reactor::Conn& from, Side& f);
  bool flush_into(reactor::Conn& to, reactor::Conn& from, Side& f);
  void interest(reactor::Conn& c, Side& s);
  reactor::Flow end(reactor::Conn& c, Side& s, const char* why);
  reactor::Flow refuse(reactor::Conn& u, const char* why);

  http::Handler& http_;
  bool splice_;
};

}  // namespace proxy
