// SPDX-License-Identifier: MIT
#include "ws/endpoint.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <sys/epoll.h>

#include "base/log.h"
#include "reactor/loop.h"
#include "ws/frame.h"
#include "ws/utf8.h"

namespace ws {

using reactor::Conn;
using reactor::Flow;
using reactor::Io;

namespace {
constexpr int kReadsPerEvent = 16;
// Room kept free in the output chunk before a frame that may need answering
// is handled: the largest answer (a 125-byte pong or close, or a reply).
constexpr size_t kAnswerRoom = 1024;
}  // namespace

struct EndpointState {
  FrameHeader frame;          // the frame being received, valid while in_frame
  uint64_t frame_done = 0;    // its payload bytes handled so far
  uint64_t message = 0;       // payload bytes of the open data message
  uint8_t message_op = 0;     // kText or kBinary while a data message is open
  bool in_frame = false;
  bool closing = false;       // a close frame went out: nothing more will
  Utf8 text;                  // the open text message
  uint8_t ctl_len = 0;
  uint8_t ctl[125];           // the control frame's payload (RFC 6455 §5.5: <= 125)
};

size_t Endpoint::proto_size() { return sizeof(EndpointState); }

static EndpointState& state_of(Conn& c) { return *static_cast<EndpointState*>(c.proto()); }

Flow Endpoint::adopt(Conn& c, const Handshake& hs) {
  EndpointState* s = new (c.proto()) EndpointState;
  c.set_handler(this);
  size_t cap = 0;
  char* out = c.out_space(&cap);
  size_t n = out != nullptr ? write_101(hs, out, cap) : 0;
  if (n == 0) {
    c.close("no buffer for the 101 answer");
    return Flow::Closed;
  }
  c.out_commit(n);
  c.want(EPOLLIN);
  c.start_timer(reactor::Timer::Io);
  // A frame may have come with the handshake.  Whatever happens to it, the
  // caller's protocol is gone: Keep would tell it to go on.
  Flow f = process(c, *s);
  return f == Flow::Keep ? Flow::Diverted : f;
}

void Endpoint::on_release(Conn& c) {
  state_of(c).~EndpointState();
  c.set_handler(nullptr);
}

Flow Endpoint::on_readable(Conn& c) {
  EndpointState& s = state_of(c);
  size_t chunk = c.loop().pool().chunk_size();
  for (int i = 0; i < kReadsPerEvent; i++) {
    size_t room = chunk - c.in_len();
    size_t n = 0;
    switch (c.read(chunk, &n)) {
      case Io::Again:
        return Flow::Keep;
      case Io::Eof:
        c.close(s.closing ? "closed" : "peer closed without a close frame");
        return Flow::Closed;
      case Io::Error:
      case Io::Full:  // can't be: only a partial header (<= 14 bytes) is ever kept
        c.close("read error");
        return Flow::Closed;
      case Io::Ok:
        break;
    }
    c.start_timer(reactor::Timer::Io);
    Flow f = process(c, s);
    if (f != Flow::Keep || c.out_pending()) return f;
    if (n < room) return Flow::Keep;
  }
  return Flow::Keep;
}

Flow Endpoint::on_writable(Conn& c) {
  EndpointState& s = state_of(c);
  Flow f = flush(c, s);
  if (f != Flow::Keep || c.out_pending()) return f;
  return process(c, s);  // frames left waiting for output room
}

void Endpoint::on_timeout(Conn& c, reactor::Timer) {
  EndpointState& s = state_of(c);
  if (s.closing) {
    c.close("close handshake timed out");
    return;
  }
  (void)fail(c, s, kGoingAway, "idle");
}

void Endpoint::on_drain(Conn& c) {
  EndpointState& s = state_of(c);
  if (!s.closing) (void)fail(c, s, kGoingAway, "server shutting down");
}

// The rules a header must follow before any of its payload is looked at.
uint16_t Endpoint::check_header(const EndpointState& s) const {
  const FrameHeader& h = s.frame;
  if (h.rsv != 0) return kProtocolError;          // no extension is ever agreed
  if ((h.opcode > kBinary && h.opcode < kClose) || h.opcode > kPong) return kProtocolError;
  if (!h.masked) return kProtocolError;           // §5.1: clients MUST mask
  if (h.opcode >= kClose) return (!h.fin || h.length > 125) ? kProtocolError : 0;
  if (h.opcode == kContinuation && s.message_op == 0) return kProtocolError;
  if (h.opcode != kContinuation && s.message_op != 0) return kProtocolError;
  uint64_t before = h.opcode == kContinuation ? s.message : 0;
  if (h.length > max_message_ || before + h.length > max_message_) return kTooBig;
  return 0;
}

// Decodes what is buffered, flushes the answers, and goes on while answers
// leave at once; stops when the socket is full (EPOLLOUT resumes it).
Flow Endpoint::process(Conn& c, EndpointState& s) {
  for (int round = 0; round < 64; round++) {
    bool stalled = false;
    Flow f = decode(c, s, &stalled);
    if (f != Flow::Keep) return f;
    f = flush(c, s);
    if (f != Flow::Keep || !stalled || c.out_pending()) return f;
  }
  return Flow::Keep;
}

Flow Endpoint::decode(Conn& c, EndpointState& s, bool* stalled) {
  auto* data = reinterpret_cast<uint8_t*>(c.in());
  size_t len = c.in_len(), pos = 0;
  size_t chunk = c.loop().pool().chunk_size();
  while (pos < len && !s.closing) {
    if (c.out_len() + kAnswerRoom > chunk) {  // resume once the answers have left
      *stalled = true;
      break;
    }
    if (!s.in_frame) {
      size_t h = parse_header(data + pos, len - pos, &s.frame);
      if (h == 0) break;  // a partial header stays in the buffer
      pos += h;
      if (uint16_t code = check_header(s)) return fail(c, s, code, "bad frame header");
      s.in_frame = true;
      s.frame_done = 0;
      s.ctl_len = 0;
      if (s.frame.opcode == kText || s.frame.opcode == kBinary) {
        s.message_op = s.frame.opcode;
        s.message = 0;
        s.text.reset();
      }
      if (s.frame.opcode < kClose) s.message += s.frame.length;
    }
    size_t take = static_cast<size_t>(std::min<uint64_t>(s.frame.length - s.frame_done, len - pos));
    unmask(data + pos, take, s.frame.mask, s.frame_done);
    if (s.frame.opcode >= kClose) {
      memcpy(s.ctl + s.ctl_len, data + pos, take);
      s.ctl_len = static_cast<uint8_t>(s.ctl_len + take);
    } else if (s.message_op == kText && !s.text.feed(data + pos, take)) {
      return fail(c, s, kInvalidData, "invalid UTF-8 in a text message");
    }
    pos += take;
    s.frame_done += take;
    if (s.frame_done == s.frame.length) {
      s.in_frame = false;
      Flow f = finish_frame(c, s);
      if (f != Flow::Keep) return f;
    }
  }
  c.consume(pos);
  return Flow::Keep;
}

Flow Endpoint::finish_frame(Conn& c, EndpointState& s) {
  switch (s.frame.opcode) {
    case kPing:
      send(c, kPong, s.ctl, s.ctl_len);
      return Flow::Keep;
    case kPong:
      return Flow::Keep;  // unsolicited pongs are allowed and ignored
    case kClose:
      return on_close_frame(c, s);
    default:
      break;
  }
  if (!s.frame.fin) return Flow::Keep;
  if (s.message_op == kText && !s.text.complete()) return fail(c, s, kInvalidData, "text ends inside a code point");
  char reply[512];
  size_t n = replier_.reply(s.message_op == kText, reply, sizeof reply);
  if (n > 0) send(c, kText, reply, n);
  s.message_op = 0;
  return Flow::Keep;
}

Flow Endpoint::on_close_frame(Conn& c, EndpointState& s) {
  if (s.ctl_len == 1) return fail(c, s, kProtocolError, "close frame of one byte");
  if (s.ctl_len >= 2) {
    uint16_t code = static_cast<uint16_t>(s.ctl[0] << 8 | s.ctl[1]);
    if (!valid_close_code(code)) return fail(c, s, kProtocolError, "invalid close code");
    Utf8 reason;
    if (!reason.feed(s.ctl + 2, s.ctl_len - 2u) || !reason.complete()) return fail(c, s, kInvalidData, "close reason is not UTF-8");
  }
  // Echo the code (RFC 6455 §5.5.1); an empty close gets an empty close.
  send(c, kClose, s.ctl, s.ctl_len >= 2 ? 2 : 0);
  s.closing = true;
  return flush(c, s);
}

Flow Endpoint::fail(Conn& c, EndpointState& s, uint16_t code, const char* why) {
  base::logf(base::Level::Debug, "conn %llu %.*s: websocket close %u: %s", static_cast<unsigned long long>(c.id()),
             static_cast<int>(c.peer().size()), c.peer().data(), code, why);
  if (!s.closing) {
    uint8_t payload[2] = {static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code)};
    send(c, kClose, payload, sizeof payload);
    s.closing = true;
  }
  return flush(c, s);
}

bool Endpoint::send(Conn& c, uint8_t opcode, const void* payload, size_t n) {
  size_t cap = 0;
  auto* out = reinterpret_cast<uint8_t*>(c.out_space(&cap));
  if (out == nullptr || cap < n + 10) return false;  // kAnswerRoom keeps this from happening
  size_t h = write_header(out, opcode, n);
  if (n > 0) memcpy(out + h, payload, n);
  c.out_commit(h + n);
  return true;
}

Flow Endpoint::flush(Conn& c, EndpointState& s) {
  switch (c.flush()) {
    case Io::Ok:
      if (s.closing) return c.linger();  // the server ends the TCP connection
      c.want(EPOLLIN);
      return Flow::Keep;
    case Io::Again:
      c.want(EPOLLOUT);  // no more input until the answers have left
      return Flow::Keep;
    default:
      c.close("write error");
      return Flow::Closed;
  }
}

}  // namespace ws
