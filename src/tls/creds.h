// SPDX-License-Identifier: MIT
// creds — a certificate chain and its private key, decoded from PEM once,
// checked to belong together, then never changed.
//
// A TLS engine keeps raw pointers into the set its handshake began with, so a
// set must outlive every engine that uses it, however many reloads come in
// between.  Each set is reference-counted: the server holds one reference
// (the current set), each engine one (taken when it starts, dropped when its
// connection's transport is released); the set is freed with the last.  One
// thread only: the count is a plain integer, and taking a reference
// allocates nothing.
#pragma once

#include <bearssl.h>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tls {

class CredsRef;

// A certificate's SHA-256 as browsers show it: "AB:CD:...", 95 characters
// and a NUL in `out`.  Users compare it with a browser's warning page.
void fingerprint(const void* der, size_t len, char (&out)[96]);
inline void fingerprint(std::string_view der, char (&out)[96]) { fingerprint(der.data(), der.size(), out); }

class Creds {
 public:
  // Reads the chain (one or more CERTIFICATE blocks, leaf first) and the key
  // (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY), and checks that the key
  // is the leaf's: it signs a test value that the leaf's public key must
  // verify.  An empty reference with `err` (one line, naming the file or
  // both) otherwise.
  static CredsRef load(const std::string& cert_file, const std::string& key_file, std::string* err);

  Creds(const Creds&) = delete;  // chain_ and the keys point into the object itself
  Creds& operator=(const Creds&) = delete;

  const br_x509_certificate* chain() const { return chain_.data(); }
  // The leaf's fingerprint (tls::fingerprint).
  void fingerprint(char (&out)[96]) const { tls::fingerprint(chain_[0].data, chain_[0].data_len, out); }
  size_t chain_len() const { return chain_.size(); }
  bool is_rsa() const { return key_type_ == BR_KEYTYPE_RSA; }
  const br_rsa_private_key* rsa() const { return &rsa_; }
  const br_ec_private_key* ec() const { return &ec_; }

 private:
  friend class CredsRef;
  Creds() = default;
  ~Creds() {  // the key dies with the set
    if (!key_bytes_.empty()) explicit_bzero(key_bytes_.data(), key_bytes_.size());
  }
  bool parse(const std::string& cert_file, const std::string& key_file, std::string* err);

  unsigned refs_ = 1;  // the CredsRef that load() returns
  std::vector<std::vector<unsigned char>> der_;   // owns the bytes chain_ points at
  std::vector<br_x509_certificate> chain_;
  std::vector<unsigned char> key_bytes_;          // owns the key components (never reallocated)
  int key_type_ = 0;
  br_rsa_private_key rsa_{};
  br_ec_private_key ec_{};
};

// A counted reference to a Creds (see above); empty when default-made or
// moved from.
class CredsRef {
 public:
  CredsRef() = default;
  CredsRef(const CredsRef& o) : p_(o.p_) {
    if (p_ != nullptr) p_->refs_++;
  }
  CredsRef(CredsRef&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
  CredsRef& operator=(CredsRef o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~CredsRef() {
    if (p_ != nullptr && --p_->refs_ == 0) delete p_;
  }

  explicit operator bool() const { return p_ != nullptr; }
  const Creds& operator*() const { return *p_; }
  const Creds* operator->() const { return p_; }
  // How many references the set has (for tests).
  unsigned count() const { return p_ != nullptr ? p_->refs_ : 0; }

 private:
  friend class Creds;
  explicit CredsRef(Creds* adopted) : p_(adopted) {}
  Creds* p_ = nullptr;
};

}  // namespace tls
