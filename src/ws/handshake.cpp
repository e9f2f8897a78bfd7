// SPDX-License-Identifier: MIT
#include "ws/handshake.h"

#include <bearssl_hash.h>
#include <cstring>

#include "base/strings.h"
#include "base/writer.h"

namespace ws {
namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool b64_char(char c) { return c != '\0' && strchr(kB64, c) != nullptr; }

// base64 of exactly 16 bytes: 22 alphabet characters, then "==", and the
// last character's unused low bits zero (its value a multiple of 16).
bool is_key(std::string_view k) {
  if (k.size() != 24 || k[22] != '=' || k[23] != '=') return false;
  for (size_t i = 0; i < 22; i++) {
    if (!b64_char(k[i])) return false;
  }
  return (strchr(kB64, k[21]) - kB64) % 16 == 0;
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
  // 20 bytes: six full groups of three, then two bytes and one '='.
  size_t o = 0;
  for (size_t i = 0; i < 18; i += 3) {
    unsigned v = (digest[i] << 16) | (digest[i + 1] << 8) | digest[i + 2];
    for (int s = 18; s >= 0; s -= 6) out[o++] = kB64[(v >> s) & 63];
  }
  unsigned v = (digest[18] << 16) | (digest[19] << 8);
  out[o++] = kB64[(v >> 18) & 63];
  out[o++] = kB64[(v >> 12) & 63];
  out[o++] = kB64[(v >> 6) & 63];
  out[o++] = '=';
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
