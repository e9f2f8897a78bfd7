// SPDX-License-Identifier: MIT
// creds — a certificate chain and its private key, decoded from PEM once.
#pragma once

#include <bearssl.h>
#include <string>
#include <vector>

namespace tls {

class Creds {
 public:
  // Reads the chain (one or more CERTIFICATE blocks, leaf first) and the key
  // (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY).  False with `err`.
  bool load(const std::string& cert_file, const std::string& key_file, std::string* err);

  const br_x509_certificate* chain() const { return chain_.data(); }
  // The leaf's SHA-256 as browsers show it: "AB:CD:...", 95 characters and a
  // NUL in `out`.  Users compare it with a browser's warning page.
  void fingerprint(char (&out)[96]) const;
  size_t chain_len() const { return chain_.size(); }
  bool is_rsa() const { return key_type_ == BR_KEYTYPE_RSA; }
  const br_rsa_private_key* rsa() const { return &rsa_; }
  const br_ec_private_key* ec() const { return &ec_; }

 private:
  std::vector<std::vector<unsigned char>> der_;   // owns the bytes chain_ points at
  std::vector<br_x509_certificate> chain_;
  std::vector<unsigned char> key_bytes_;          // owns the key components
  int key_type_ = 0;
  br_rsa_private_key rsa_{};
  br_ec_private_key ec_{};
};

}  // namespace tls
