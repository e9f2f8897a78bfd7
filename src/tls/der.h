// SPDX-License-Identifier: MIT
// der — just enough DER to write X.509 certificates and read back the few
// fields portico checks in its own (BearSSL decodes X.509 but has no
// encoder).  Lengths up to 3 bytes: certificates stay far below 16 MiB.
#pragma once

#include <ctime>
#include <initializer_list>
#include <string>
#include <vector>

namespace tls::der {

using Bytes = std::vector<unsigned char>;

inline Bytes raw(const void* p, size_t n) {
  auto* b = static_cast<const unsigned char*>(p);
  return Bytes(b, b + n);
}
template <size_t N>
Bytes raw(const unsigned char (&a)[N]) {
  return raw(a, N);
}
inline Bytes raw(const std::string& s) { return raw(s.data(), s.size()); }

inline void append(Bytes* to, const Bytes& b) { to->insert(to->end(), b.begin(), b.end()); }

// One TLV with DER's definite length, short form below 128 bytes.
Bytes tlv(unsigned char tag, const Bytes& body);
// The concatenation of `parts` under one tag (SEQUENCE by default).
Bytes seq(std::initializer_list<Bytes> parts, unsigned char tag = 0x30);
Bytes bit_string(const unsigned char* p, size_t n);
// UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
Bytes time(time_t t);

// The next TLV of [*p, end): its tag and body, *p moved past it; false when
// malformed.
bool next(const unsigned char** p, const unsigned char* end, unsigned char* tag, const unsigned char** body,
          size_t* len);
// Field `k` of a DER certificate's TBSCertificate, version skipped (0 the
// serial, then signature, issuer, validity, subject, its key), whole: tag,
// length and body.  False when malformed.
bool tbs_field(const unsigned char* cert, size_t len, int k, const unsigned char** at, size_t* n);
// The value (the extnValue OCTET STRING's body) of the extension whose
// OID, DER-encoded whole (tag, length, arcs), is `oid`; false when the
// certificate has none or is malformed.
bool extension(const unsigned char* cert, size_t len, const unsigned char* oid, size_t oid_len,
               const unsigned char** value, size_t* n);
// notBefore and notAfter of a DER certificate; false when malformed.
bool validity(const unsigned char* cert, size_t len, time_t* from, time_t* until);
// notAfter alone, or -1.
time_t not_after(const unsigned char* cert, size_t len);

}  // namespace tls::der
