// SPDX-License-Identifier: MIT
// selfsigned — the certificate of a bare --cert: EC P-256, self-signed, made
// with BearSSL alone (code-server shells out to openssl for this; boards
// rarely have it).
//
// BearSSL decodes X.509 but has no encoder, so the certificate is written
// here with a small DER writer: X.509 v3, CN and a DNS SAN from --cert-host,
// an IP SAN for each listening address, CA:FALSE (Firefox refuses a CA
// certificate as a server's), EKU serverAuth, ecdsa-with-SHA256, valid for
// 825 days (Apple's ceiling for any server certificate).
#pragma once

#include <string>
#include <vector>

namespace tls {

// Makes sure `dir`/<host, dots as underscores>.crt and .key (code-server's
// names; the key 0600) hold a pair valid for 30 more days whose key matches:
// one made here for `host` and `ips` (raw 4- or 16-byte addresses), or one
// code-server (or the user) left there that names `host`, kept as it is;
// otherwise makes a new pair.  `made` says which happened; a pair that was
// there and is replaced is renamed to .crt.old and .key.old first, and
// `replaced` says why it was not used ("" when there was none).  False with
// `err`.
bool ensure_self_signed(const std::string& dir, const std::string& host, const std::vector<std::string>& ips,
                        std::string* cert_file, std::string* key_file, bool* made, std::string* replaced,
                        std::string* err);

}  // namespace tls
