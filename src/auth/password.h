// SPDX-License-Identifier: MIT
// password — the one configured secret, and checking a submitted one against it.
//
// Three forms, as code-server: plain text; an argon2 PHC string (any value
// starting "$argon2"); legacy SHA-256 as 64 hex digits.  A hashed value that
// is neither is refused at start, not at the first login, and so is an
// argon2 hash whose memory this process could never map (RLIMIT_AS).
#pragma once

#include <string>
#include <string_view>

namespace auth {

class Password {
 public:
  enum class Kind : unsigned char { Plain, Argon2, Sha256 };

  // `hashed` wins when both are given.  False with `err` for a hash portico
  // cannot check.
  bool init(std::string_view plain, std::string_view hashed, std::string* err);
  // Constant-time where bytes are compared.  Argon2 costs what its
  // parameters say (code-server's defaults: 64 MiB, 3 passes); Failed when
  // its memory could not be had, which says nothing about the password.
  enum class Check : unsigned char { Match, Mismatch, Failed };
  Check check(std::string_view submitted) const;
  Kind kind() const { return kind_; }
  // The configured value itself; sessions are signed under a key derived
  // from it, so changing the password ends every session.
  std::string_view fingerprint() const { return secret_; }

 private:
  Kind kind_ = Kind::Plain;
  std::string secret_;
};

}  // namespace auth
