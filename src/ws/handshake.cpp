// SPDX-License-Identifier: MIT
#include "ws/handshake.h"

#include <bearssl_hash.h>

#include "base/base64.h"
#include "base/strings.h"
#include "base/writer.h"

namespace ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
// base64 of exactly 16 bytes, padded: 24 characters.
bool is_key(std::string_view k) {
  uint8_t raw[18];
  size_t n = 0;
  return k.size() == 24 && k.substr(22) == "==" && base::b64_decode(k, raw, sizeof raw, &n, base::B64::Standard) && n == 16;
}

int count(const http::Request& req, std::string_view name) {
  int n = 0;
  for (uint16_t i = 0; i < req.head->nheaders; i++) n += base::ieq(req.table[i].name.in(req.base), name);
  return n;
}

}  // namespace

void accept_key(std::string_view key, char out[28]) {
  br_sha1_context sha;
  unsigned char digest[br_sha1_SIZE];
  br_sha1_init(&sha);
  br_sha1_update(&sha, key.data(), key.size());
  br_sha1_update(&sha, kGuid.data(), kGuid.size());
  br_sha1_out(&sha, digest);
  base::b64_encode(digest, sizeof digest, out, base::B64::Standard, true);  // 20 bytes: 28 characters
}

int validate(const http::Request& req, Handshake* hs) {
  // No body: the bytes after the head already belong to the WebSocket.
  if (req.method != "GET" || req.head->minor != 1 || req.head->has_body) return 400;
  if (!base::has_token(req.header("upgrade"), "websocket")) return 400;
  if (!base::has_token(req.header("connection"), "upgrade")) return 400;
  if (count(req, "sec-websocket-version") != 1 || req.header("sec-websocket-version") != "13") return 426;
  std::string_view key = req.header("sec-websocket-key");
  if (count(req, "sec-websocket-key") != 1 || !is_key(key)) return 400;
  accept_key(key, hs->accept);
  return 0;
}

size_t write_101(const Handshake& hs, char* out, size_t cap) {
  base::Writer w(out, cap);
  w.put("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ");
  w.put(std::string_view(hs.accept, sizeof hs.accept));
  w.put("\r\n\r\n");
  return w.ok() ? w.size() : 0;
}

}  // namespace ws
