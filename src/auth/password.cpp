// SPDX-License-Identifier: MIT
#include "auth/password.h"

#include <bearssl_hash.h>
#include <cerrno>
#include <cstring>
#include <sys/mman.h>

#include "auth/argon2.h"
#include "auth/ct.h"
#include "base/strings.h"

namespace auth {

bool Password::init(std::string_view plain, std::string_view hashed, std::string* err) {
  if (hashed.empty()) {
    kind_ = Kind::Plain;
    secret_ = std::string(plain);
    return true;
  }
  secret_ = std::string(hashed);
  if (hashed.substr(0, 7) == "$argon2") {
    Argon2Params p;
    if (!argon2_parse(hashed, &p)) {
      *err = "hashed-password is not an argon2 PHC string portico accepts ($argon2id$v=19$m=...,t=...,p=...$salt$hash)";
      return false;
    }
    // Mapped, never touched: a limit on address space says no now, not at
    // the first login, where it would read as a wrong password.
    size_t bytes = size_t{p.m_kib} * 1024;
    void* probe = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (probe == MAP_FAILED) {
      *err = "hashed-password: each check needs m=" + std::to_string(p.m_kib) + " KiB, which this process cannot map (" +
             strerror(errno) + "; RLIMIT_AS?): raise the limit, or make a hash with less memory (portico hash-password --memory)";
      return false;
    }
    munmap(probe, bytes);
    kind_ = Kind::Argon2;
    return true;
  }
  bool hex = hashed.size() == 64;
  for (char c : hashed) hex = hex && ((c >= '0' && c <= '9') || (base::ascii_lower(c) >= 'a' && base::ascii_lower(c) <= 'f'));
  if (!hex) {
    *err = "hashed-password is neither an argon2 PHC string nor 64 hex digits of SHA-256";
    return false;
  }
  kind_ = Kind::Sha256;
  for (char& c : secret_) c = base::ascii_lower(c);
  return true;
}

Password::Check Password::check(std::string_view submitted) const {
  auto of = [](bool match) { return match ? Check::Match : Check::Mismatch; };
  switch (kind_) {
    case Kind::Plain:
      return of(ct_equal_str(submitted, secret_));
    case Kind::Argon2:
      switch (argon2_check(secret_, submitted)) {
        case Argon2Check::Match: return Check::Match;
        case Argon2Check::Mismatch: return Check::Mismatch;
        default: return Check::Failed;   // init() parsed it: the memory
      }
    case Kind::Sha256: {
      unsigned char d[br_sha256_SIZE];
      br_sha256_context c;
      br_sha256_init(&c);
      br_sha256_update(&c, submitted.data(), submitted.size());
      br_sha256_out(&c, d);
      char hex[2 * br_sha256_SIZE];
      static constexpr char kHex[] = "0123456789abcdef";
      for (size_t i = 0; i < sizeof d; i++) {
        hex[2 * i] = kHex[d[i] >> 4];
        hex[2 * i + 1] = kHex[d[i] & 15];
      }
      return of(ct_equal(hex, secret_.data(), sizeof hex));
    }
  }
  return Check::Mismatch;
}

}  // namespace auth
