// SPDX-License-Identifier: MIT
// PHC strings for Argon2: "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>",
// base64 (standard alphabet) without padding, as node-argon2 writes them.
#include <cstring>

#include "auth/argon2.h"
#include "auth/ct.h"
#include "base/strings.h"
#include "base/writer.h"

namespace auth {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr size_t kMaxOut = 128;

size_t b64_encode(const uint8_t* in, size_t n, char* out) {
  size_t o = 0;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = uint32_t{in[i]} << 16;
    if (i + 1 < n) v |= uint32_t{in[i + 1]} << 8;
    if (i + 2 < n) v |= in[i + 2];
    out[o++] = kB64[(v >> 18) & 63];
    out[o++] = kB64[(v >> 12) & 63];
    if (i + 1 < n) out[o++] = kB64[(v >> 6) & 63];
    if (i + 2 < n) out[o++] = kB64[v & 63];
  }
  return o;
}

bool b64_decode(std::string_view s, uint8_t* out, size_t cap, size_t* n) {
  uint32_t acc = 0;
  int bits = 0;
  size_t o = 0;
  for (char c : s) {
    const char* p = c != '\0' ? strchr(kB64, c) : nullptr;
    if (p == nullptr) return false;
    acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (o == cap) return false;
      out[o++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  if (bits >= 6 || (acc & ((1u << bits) - 1)) != 0) return false;  // a dangling char or stray bits
  *n = o;
  return true;
}

// Splits s at the next '$'.
std::string_view field(std::string_view* s) {
  size_t d = s->find('$');
  std::string_view f = s->substr(0, d);
  *s = d == std::string_view::npos ? std::string_view() : s->substr(d + 1);
  return f;
}

bool param(std::string_view kv, std::string_view key, uint32_t* out) {
  uint64_t v;
  if (kv.size() <= key.size() || kv.substr(0, key.size()) != key || kv[key.size()] != '=') return false;
  if (!base::parse_u64(kv.substr(key.size() + 1), 0xFFFFFFFFu, &v)) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

}  // namespace

bool argon2_verify(std::string_view phc, std::string_view password, bool* match) {
  *match = false;
  Argon2Params p;
  if (phc.empty() || phc.front() != '$') return false;
  phc.remove_prefix(1);
  std::string_view id = field(&phc);
  if (id == "argon2id") p.type = Argon2Type::ID;
  else if (id == "argon2i") p.type = Argon2Type::I;
  else if (id == "argon2d") p.type = Argon2Type::D;
  else return false;
  std::string_view f = field(&phc);
  p.version = 0x10;  // a string without "v=" predates v1.3
  if (f.substr(0, 2) == "v=") {
    if (!param(f, "v", &p.version)) return false;
    f = field(&phc);
  }
  // "m=…,t=…,p=…" in this order, as every implementation writes it.
  size_t c1 = f.find(','), c2 = f.find(',', c1 == std::string_view::npos ? f.size() : c1 + 1);
  if (c1 == std::string_view::npos || c2 == std::string_view::npos) return false;
  if (!param(f.substr(0, c1), "m", &p.m_kib) || !param(f.substr(c1 + 1, c2 - c1 - 1), "t", &p.t) ||
      !param(f.substr(c2 + 1), "p", &p.p)) {
    return false;
  }
  std::string_view salt_b64 = field(&phc), hash_b64 = field(&phc);
  uint8_t salt[kMaxOut], want[kMaxOut], got[kMaxOut];
  size_t salt_len, hash_len;
  if (!phc.empty() || !b64_decode(salt_b64, salt, sizeof salt, &salt_len) ||
      !b64_decode(hash_b64, want, sizeof want, &hash_len) || salt_len < 8 || hash_len < 4 || !argon2_params_ok(p)) {
    return false;
  }
  if (!argon2_hash(p, password.data(), password.size(), salt, salt_len, nullptr, 0, nullptr, 0, got, hash_len)) {
    return false;
  }
  *match = ct_equal(got, want, hash_len);
  return true;
}

size_t argon2_encode(const Argon2Params& params, std::string_view password, const uint8_t salt[16], char* out,
                     size_t cap) {
  uint8_t tag[32];
  if (!argon2_hash(params, password.data(), password.size(), salt, 16, nullptr, 0, nullptr, 0, tag, sizeof tag)) {
    return 0;
  }
  static constexpr const char* kNames[] = {"argon2d", "argon2i", "argon2id"};
  char b64[64];
  base::Writer w(out, cap);
  w.put('$');
  w.put(kNames[static_cast<int>(params.type)]);
  w.put("$v=");
  w.put_u64(params.version);
  w.put("$m=");
  w.put_u64(params.m_kib);
  w.put(",t=");
  w.put_u64(params.t);
  w.put(",p=");
  w.put_u64(params.p);
  w.put('$');
  w.put(std::string_view(b64, b64_encode(salt, 16, b64)));
  w.put('$');
  w.put(std::string_view(b64, b64_encode(tag, sizeof tag, b64)));
  return w.ok() ? w.size() : 0;
}

}  // namespace auth
