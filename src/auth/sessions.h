// SPDX-License-Identifier: MIT
// sessions — login tokens that survive restarts and can be revoked.
//
// A token is 57 bytes, base64url in the cookie: version, expiry (seconds
// since the epoch), 16 random id bytes, and an HMAC-SHA256 over them.  The
// HMAC key is derived from a 32-byte key kept in the data directory (mode
// 0600) and from the configured password, so:
//   - a restart keeps every session (same key file, same password);
//   - a changed password ends every session (another derived key);
//   - the cookie carries neither the password nor anything derived from it
//     alone (code-server's cookie is the password's hash).
// Logout records the token's id in a revocation file beside the key, kept
// until the token would have expired anyway, and reloaded at start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace auth {

class Sessions {
 public:
  static constexpr size_t kTokenChars = 76;

  // Reads (or makes) the key and the revocation list in `dir`.  False with
  // `err` when the directory or files cannot be used.
  bool open(const std::string& dir, std::string_view password_fingerprint, uint32_t lifetime_s, std::string* err);

  // A new token valid for the configured lifetime from `now_s`; false only
  // when the system has no randomness to give.
  bool issue(int64_t now_s, char out[kTokenChars]);
  // Authentic, unexpired and not revoked.
  bool valid(std::string_view token, int64_t now_s) const;
  // Logout: a valid token is revoked for good (on disk before this returns).
  bool revoke(std::string_view token, int64_t now_s);
  uint32_t lifetime() const { return lifetime_; }

 private:
  struct Revoked {
    uint8_t id[16];
    int64_t expires;
  };
  bool decode(std::string_view token, int64_t now_s, uint8_t id[16], int64_t* expires) const;
  void derive();
  size_t slot(const uint8_t id[16]) const;
  bool revoked(const uint8_t id[16]) const;
  void remember(const Revoked& r);
  bool rewrite(int64_t now_s, std::string* err);

  std::string dir_;
  std::string fingerprint_;
  uint32_t lifetime_ = 0;
  uint8_t master_[32] = {};
  uint8_t key_[32] = {};          // HMAC key: derived from master_ and the password
  std::vector<Revoked> table_;    // open addressing; an all-zero id is an empty slot
  size_t count_ = 0;
};

}  // namespace auth
