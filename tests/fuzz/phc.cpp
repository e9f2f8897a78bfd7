// SPDX-License-Identifier: MIT
// phc — fuzzes the hashed-password forms (auth::Password, argon2_verify's
// PHC string parser in src/auth/phc.cpp): the input is a hashed-password
// value, then after a newline the password submitted against it.  An input
// that starts with '#' is a round trip instead: from its end the Argon2
// parameters and salt, then the password.
//
// Invariants: a value is taken exactly when it is an Argon2 PHC string the
// parser accepts or 64 hex digits (an empty one means plain text); checking is deterministic; strings that
// argon2_encode writes (parameters and salt from the input) verify their own
// password and no other, through argon2_verify and Password alike; a SHA-256
// hex value checks as SHA-256, in either case.
//
// Argon2 costs what its parameters say, so inputs asking for more than 16 KiB,
// 1 pass or 2 lanes are skipped (the parser is reached with small ones).
//
// fuzz: -max_len=512
#include <bearssl_hash.h>

#include "auth/argon2.h"
#include "auth/password.h"
#include "fuzz.h"

namespace {

// False when some "m=", "t=" or "p=" in `s` is followed by a number above
// the cheap bounds: only such numbers can become the parameters.
bool cheap(std::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); i++) {
    if (s[i + 1] != '=' || (s[i] != 'm' && s[i] != 't' && s[i] != 'p')) continue;
    uint64_t v = 0;
    for (size_t k = i + 2; k < s.size() && s[k] >= '0' && s[k] <= '9' && v <= 1000; k++) v = v * 10 + (s[k] - '0');
    if (v > (s[i] == 'm' ? 16 : s[i] == 't' ? 1 : 2)) return false;
  }
  return true;
}

std::string sha256_hex(std::string_view s, bool upper) {
  unsigned char d[br_sha256_SIZE];
  br_sha256_context c;
  br_sha256_init(&c);
  br_sha256_update(&c, s.data(), s.size());
  br_sha256_out(&c, d);
  const char* hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  for (unsigned char b : d) out += {hex[b >> 4], hex[b & 15]};
  return out;
}

using Check = auth::Password::Check;

// A hashed value as the config gives it: init, then a check of `pw`.
void check_value(std::string_view hashed, std::string_view pw) {
  auth::Password p;
  std::string err;
  bool ok = p.init("", hashed, &err);
  if (hashed.empty()) {  // no hash: the (empty) plain password
    FUZZ_CHECK(ok && p.kind() == auth::Password::Kind::Plain && (p.check(pw) == Check::Match) == pw.empty());
    return;
  }
  auth::Argon2Params params;
  bool argon = hashed.substr(0, 7) == "$argon2" && auth::argon2_parse(hashed, &params);
  FUZZ_CHECK(argon == (hashed.substr(0, 7) == "$argon2" && auth::argon2_check(hashed, "") != auth::Argon2Check::Malformed));
  bool hex = hashed.size() == 64 && hashed.find_first_not_of("0123456789abcdefABCDEF") == std::string_view::npos;
  FUZZ_CHECK(ok == (argon || hex) && ok == err.empty());
  if (!ok) return;
  FUZZ_CHECK(p.kind() == (argon ? auth::Password::Kind::Argon2 : auth::Password::Kind::Sha256));
  Check first = p.check(pw);
  FUZZ_CHECK(first != Check::Failed && p.check(pw) == first);   // the harness maps a few KiB at most
  bool match = first == Check::Match;
  if (hex) FUZZ_CHECK(match == (sha256_hex(pw, false) == p.fingerprint()));
}

// argon2_encode's output verifies `pw`, and only `pw`.
void round_trip(FuzzedDataProvider& in, std::string_view pw) {
  auth::Argon2Params params;
  params.type = static_cast<auth::Argon2Type>(in.ConsumeIntegralInRange<int>(0, 2));
  params.p = in.ConsumeIntegralInRange<uint32_t>(1, 2);
  params.m_kib = in.ConsumeIntegralInRange<uint32_t>(8 * params.p, 16);
  params.t = 1;
  params.version = in.ConsumeBool() ? 0x13 : 0x10;
  uint8_t salt[16];
  for (uint8_t& b : salt) b = in.ConsumeIntegral<uint8_t>();
  char phc[160];
  size_t n = auth::argon2_encode(params, pw, salt, phc, sizeof phc);
  FUZZ_CHECK(n > 0);
  std::string_view s(phc, n);
  bool match = false;
  FUZZ_CHECK(auth::argon2_verify(s, pw, &match) && match);
  auth::Password p;
  std::string err;
  FUZZ_CHECK(p.init("", s, &err) && p.kind() == auth::Password::Kind::Argon2 && p.check(std::string(pw) + "x") == Check::Mismatch);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t nl = text.find('\n');
  std::string_view hashed = text.substr(0, nl), pw = nl == std::string_view::npos ? "" : text.substr(nl + 1);
  if (!text.empty() && text[0] == '#') {
    FuzzedDataProvider in(data + 1, size - 1);
    round_trip(in, in.ConsumeRemainingBytesAsString());
    return 0;
  }
  if (!cheap(hashed)) return 0;
  check_value(hashed, pw);
  auth::Password sha;
  std::string err;
  FUZZ_CHECK(sha.init("", sha256_hex(pw, true), &err) && sha.check(pw) == Check::Match);
  return 0;
}
