// SPDX-License-Identifier: MIT
// argon2 — Argon2d, Argon2i and Argon2id (RFC 9106), and their PHC strings.
//
// code-server stores hashed passwords as node-argon2 writes them:
// "$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>" (base64 without padding).
// portico verifies those and makes its own.  Lanes are filled one after the
// other (no threads): the result is the same, only the wall time differs.
// Memory is mapped for one computation and unmapped right after it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace auth {

enum class Argon2Type : uint8_t { D = 0, I = 1, ID = 2 };

struct Argon2Params {
  Argon2Type type = Argon2Type::ID;
  uint32_t m_kib = 19456;   // memory in KiB (one 1 KiB block each)
  uint32_t t = 2;           // passes
  uint32_t p = 1;           // lanes
  uint32_t version = 0x13;  // 19; 0x10 for hashes made before RFC 9106's v1.3
};

// The bounds portico accepts, so that a hostile config cannot ask for more
// than a small board has: m <= 1 GiB, t <= 64, p <= 64.
bool argon2_params_ok(const Argon2Params& p);

// Computes an `out_len`-byte tag (4 to 1024).  False when the parameters are
// out of bounds or the memory cannot be had.
bool argon2_hash(const Argon2Params& params, const void* pwd, size_t pwd_len, const void* salt, size_t salt_len,
                 const void* secret, size_t secret_len, const void* ad, size_t ad_len, uint8_t* out, size_t out_len);

// Checks `password` against a PHC string: Malformed when the string is not a
// well-formed Argon2 PHC string portico accepts, NoMemory when the memory it
// asks for cannot be mapped (RLIMIT_AS, a full box): not a wrong password.
enum class Argon2Check : uint8_t { Match, Mismatch, Malformed, NoMemory };
Argon2Check argon2_check(std::string_view phc, std::string_view password);
// The parameters of a well-formed PHC string, without hashing anything.
bool argon2_parse(std::string_view phc, Argon2Params* params);
// argon2_check for the tests: false unless it ran; *match says the rest.
bool argon2_verify(std::string_view phc, std::string_view password, bool* match);

// Writes "$argon2id$v=19$m=…,t=…,p=…$salt$hash" for a fresh `salt` (16 bytes)
// and a 32-byte tag.  Returns its length, or 0.
size_t argon2_encode(const Argon2Params& params, std::string_view password, const uint8_t salt[16], char* out,
                     size_t cap);

}  // namespace auth
