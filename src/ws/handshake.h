// SPDX-License-Identifier: MIT
// handshake — the server side of the RFC 6455 §4.2 opening handshake.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/request.h"

namespace ws {

struct Handshake {
  char accept[28];   // Sec-WebSocket-Accept, base64 of a SHA-1
};

// Checks an upgrade request: GET, HTTP/1.1, "websocket" in Upgrade, "upgrade"
// in Connection (both case-insensitive token lists), one Sec-WebSocket-Key
// that is base64 of 16 bytes, and Sec-WebSocket-Version: 13.  Returns 0 and
// fills `hs`, or the status to refuse with: 426 for a version portico does
// not speak (answered with "Sec-WebSocket-Version: 13"), else 400.
int validate(const http::Request& req, Handshake* hs);

// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + the RFC's GUID)).
void accept_key(std::string_view key, char out[28]);

// The 101 answer; no subprotocol and no extension is ever agreed.  Returns
// its size, or 0 when `cap` is too small.
size_t write_101(const Handshake& hs, char* out, size_t cap);

}  // namespace ws
