// SPDX-License-Identifier: MIT
// frame — the RFC 6455 §5.2 frame header, parsed and written.
//
// Only the header is handled here; payload bytes stay where they are and are
// unmasked in place by the caller, so no frame is ever copied whole.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ws {

enum Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// Close codes portico sends (RFC 6455 §7.4.1).
enum CloseCode : uint16_t {
  kNormal = 1000,
  kGoingAway = 1001,
  kProtocolError = 1002,
  kInvalidData = 1007,
  kTooBig = 1009,
};

struct FrameHeader {
  bool fin = false;
  uint8_t rsv = 0;        // the three RSV bits, unshifted
  uint8_t opcode = 0;
  bool masked = false;
  uint64_t length = 0;
  uint8_t mask[4] = {};
};

// Parses a header from p[0..n).  Returns its size (2 to 14), or 0 when more
// bytes are needed.  Validates nothing: that is the endpoint's job.
size_t parse_header(const uint8_t* p, size_t n, FrameHeader* h);

// Writes an unmasked server header for a final frame of `length` bytes into
// `out` (at least 10 bytes); returns its size.
size_t write_header(uint8_t* out, uint8_t opcode, uint64_t length);

// XORs p[0..n) with `mask`, where p[0] is payload byte number `offset`.
void unmask(uint8_t* p, size_t n, const uint8_t mask[4], uint64_t offset);

// True for the close codes a peer may send (RFC 6455 §7.4, IANA registry).
bool valid_close_code(uint16_t code);

}  // namespace ws
