// SPDX-License-Identifier: MIT
// endpoint — a WebSocket server endpoint that portico answers itself (RFC 6455).
//
// Frames are decoded straight from the connection's input chunk and unmasked
// in place; payloads are validated (UTF-8 for text, sizes, control-frame
// rules) as they stream through and are never reassembled, so a message of
// any allowed size costs no memory.  Each complete data message is given to
// the application, which may answer with one text message.
//
// Closing: a valid close frame is echoed; any violation is answered with a
// close frame carrying its code (1002, 1007, 1009).  After a close frame
// nothing more is sent, and the server ends the TCP connection (lingering
// until the peer's FIN).  Reading stops while answers wait for the socket,
// so a peer that floods pings without reading gets backpressure, not memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "reactor/conn.h"
#include "ws/handshake.h"

namespace ws {

// What the endpoint serves.
class Replier {
 public:
  // Writes the answer to a complete data message into out[0..cap) and
  // returns its length, or 0 for no answer.
  virtual size_t reply(bool text, char* out, size_t cap) const = 0;

 protected:
  ~Replier() = default;
};

struct EndpointState;

class Endpoint final : public reactor::Handler {
 public:
  Endpoint(uint64_t max_message, const Replier& replier) : max_message_(max_message), replier_(replier) {}

  static size_t proto_size();

  // Takes `c` over after a valid handshake: answers 101, then handles the
  // bytes already in c.in(), which MUST be exactly what followed the request
  // head.  The previous handler MUST have released its state.  Returns
  // Diverted, or Closed when the connection already ended.
  reactor::Flow adopt(reactor::Conn& c, const Handshake& hs);

  reactor::Flow on_readable(reactor::Conn& c) override;
  reactor::Flow on_writable(reactor::Conn& c) override;
  void on_timeout(reactor::Conn& c, reactor::Timer t) override;
  void on_drain(reactor::Conn& c) override;
  void on_release(reactor::Conn& c) override;

 private:
  reactor::Flow process(reactor::Conn& c, EndpointState& s);
  reactor::Flow decode(reactor::Conn& c, EndpointState& s, bool* stalled);
  uint16_t check_header(const EndpointState& s) const;
  reactor::Flow finish_frame(reactor::Conn& c, EndpointState& s);
  reactor::Flow on_close_frame(reactor::Conn& c, EndpointState& s);
  reactor::Flow fail(reactor::Conn& c, EndpointState& s, uint16_t code, const char* why);
  bool send(reactor::Conn& c, uint8_t opcode, const void* payload, size_t n);
  reactor::Flow flush(reactor::Conn& c, EndpointState& s);

  uint64_t max_message_;
  const Replier& replier_;
};

}  // namespace ws
