// SPDX-License-Identifier: MIT
// PHC strings for Argon2: "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>",
// base64 (standard alphabet) without padding, as node-argon2 writes them.
#include <cstring>

#include "auth/argon2.h"
#include "auth/ct.h"
#include "base/base64.h"
#include "base/strings.h"
#include "base/writer.h"

namespace auth {
namespace {

constexpr size_t kMaxOut = 128;

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

// A PHC string taken apart; false when it is not one portico accepts.
struct Phc {
  Argon2Params p;
  uint8_t salt[kMaxOut], hash[kMaxOut];
  size_t salt_len = 0, hash_len = 0;
};

bool parse(std::string_view phc, Phc* out) {
  Argon2Params& p = out->p;
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
  if (salt_b64.find('=') != std::string_view::npos || hash_b64.find('=') != std::string_view::npos) return false;
  return phc.empty() && base::b64_decode(salt_b64, out->salt, sizeof out->salt, &out->salt_len, base::B64::Standard) &&
         base::b64_decode(hash_b64, out->hash, sizeof out->hash, &out->hash_len, base::B64::Standard) &&
         out->salt_len >= 8 && out->hash_len >= 4 && argon2_params_ok(p);
}

}  // namespace

bool argon2_parse(std::string_view phc, Argon2Params* params) {
  Phc x;
  if (!parse(phc, &x)) return false;
  *params = x.p;
  return true;
}

Argon2Check argon2_check(std::string_view phc, std::string_view password) {
  Phc x;
  if (!parse(phc, &x)) return Argon2Check::Malformed;
  uint8_t got[kMaxOut];
  // The parameters were checked: a failure now is the memory.
  if (!argon2_hash(x.p, password.data(), password.size(), x.salt, x.salt_len, nullptr, 0, nullptr, 0, got, x.hash_len)) {
    return Argon2Check::NoMemory;
  }
  return ct_equal(got, x.hash, x.hash_len) ? Argon2Check::Match : Argon2Check::Mismatch;
}

bool argon2_verify(std::string_view phc, std::string_view password, bool* match) {
  Argon2Check c = argon2_check(phc, password);
  *match = c == Argon2Check::Match;
  return c == Argon2Check::Match || c == Argon2Check::Mismatch;
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
  w.put(std::string_view(b64, base::b64_encode(salt, 16, b64, base::B64::Standard, false)));
  w.put('$');
  w.put(std::string_view(b64, base::b64_encode(tag, sizeof tag, b64, base::B64::Standard, false)));
  return w.ok() ? w.size() : 0;
}

}  // namespace auth
