// SPDX-License-Identifier: MIT
// first_byte — one port for TLS and plain HTTP, as code-server: with TLS on,
// a new connection's first byte says which it speaks (a TLS record starts
// with 0x16, no HTTP request does).  The handler of every connection from
// accept until that byte comes; then the HTTP handler's, over a TLS engine
// or not.  Without TLS the listener hands connections to HTTP directly and
// nothing is peeked at.
#pragma once

#include "http/handler.h"
#include "reactor/conn.h"
#include "tls/engine.h"

class FirstByte final : public reactor::Handler {
 public:
  FirstByte(tls::Server& tls, http::Handler& http) : tls_(tls), http_(http) {}

  // Makes `c` wait for its first byte, under the head deadline, which goes
  // on running through the TLS handshake and the request head: a client
  // that holds its first byte back gains no time by it.
  void adopt(reactor::Conn& c);

  // The byte is only looked at (MSG_PEEK): the engine or the parser reads
  // it.  Without an engine (out of memory) the bytes are parsed as HTTP and
  // refused.  EOF and errors are the HTTP handler's to report.
  reactor::Flow on_readable(reactor::Conn& c) override;
  reactor::Flow on_writable(reactor::Conn&) override { return reactor::Flow::Keep; }
  void on_timeout(reactor::Conn& c, reactor::Timer) override { c.close("no request in time"); }
  void on_drain(reactor::Conn& c) override { c.close("shutting down"); }
  void on_release(reactor::Conn& c) override { c.set_handler(nullptr); }

 private:
  tls::Server& tls_;
  http::Handler& http_;
};
