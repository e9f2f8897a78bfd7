// SPDX-License-Identifier: MIT
#include "tls/der.h"

#include <cstdio>
#include <cstring>

#include "base/civil.h"

namespace tls::der {

Bytes tlv(unsigned char tag, const Bytes& body) {
  Bytes out{tag};
  size_t n = body.size();
  if (n < 0x80) {
    out.push_back(static_cast<unsigned char>(n));
  } else {
    int k = n > 0xFFFF ? 3 : n > 0xFF ? 2 : 1;
    out.push_back(static_cast<unsigned char>(0x80 | k));
    for (int i = k - 1; i >= 0; i--) out.push_back(static_cast<unsigned char>(n >> (8 * i)));
  }
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

Bytes seq(std::initializer_list<Bytes> parts, unsigned char tag) {
  Bytes body;
  for (const Bytes& p : parts) body.insert(body.end(), p.begin(), p.end());
  return tlv(tag, body);
}

Bytes bit_string(const unsigned char* p, size_t n) {
  Bytes body{0x00};  // no unused bits
  body.insert(body.end(), p, p + n);
  return tlv(0x03, body);
}

Bytes time(time_t t) {
  base::Civil c = base::civil_from_unix(t);
  char s[32];
  bool utc = c.year >= 1950 && c.year < 2050;
  int n = snprintf(s, sizeof s, "%0*d%02d%02d%02d%02d%02dZ", utc ? 2 : 4, utc ? c.year % 100 : c.year, c.month, c.day,
                   c.hour, c.minute, c.second);
  return tlv(utc ? 0x17 : 0x18, raw(s, static_cast<size_t>(n)));
}

bool next(const unsigned char** p, const unsigned char* end, unsigned char* tag, const unsigned char** body,
          size_t* len) {
  if (end - *p < 2) return false;
  *tag = (*p)[0];
  size_t n = (*p)[1], at = 2;
  if (n & 0x80) {
    size_t k = n & 0x7F;
    if (k == 0 || k > 3 || static_cast<size_t>(end - *p) < 2 + k) return false;
    n = 0;
    for (size_t i = 0; i < k; i++) n = (n << 8) | (*p)[2 + i];
    at += k;
  }
  if (static_cast<size_t>(end - *p) - at < n) return false;
  *body = *p + at;
  *len = n;
  *p = *body + n;
  return true;
}

bool tbs_field(const unsigned char* cert, size_t len, int k, const unsigned char** at, size_t* n) {
  const unsigned char *p = cert, *end = cert + len, *body;
  unsigned char tag;
  size_t m;
  if (!next(&p, end, &tag, &body, &m) || tag != 0x30) return false;  // Certificate
  p = body, end = body + m;
  if (!next(&p, end, &tag, &body, &m) || tag != 0x30) return false;  // TBSCertificate
  p = body, end = body + m;
  const unsigned char* start = p;
  if (!next(&p, end, &tag, &body, &m)) return false;
  if (tag == 0xA0) start = p;  // the version: the serial is next
  else p = start;
  for (int i = 0; i <= k; i++) {
    start = p;
    if (!next(&p, end, &tag, &body, &m)) return false;
  }
  *at = start;
  *n = static_cast<size_t>(p - start);
  return true;
}

bool extension(const unsigned char* cert, size_t len, const unsigned char* oid, size_t oid_len,
               const unsigned char** value, size_t* n) {
  const unsigned char *p = nullptr, *end, *body;
  unsigned char tag = 0;
  size_t m = 0;
  // After the key (5): issuerUniqueID [1] and subjectUniqueID [2], both
  // optional, then the extensions [3].
  for (int k = 6; k <= 8 && tag != 0xA3; k++) {
    if (!tbs_field(cert, len, k, &p, &m)) return false;
    tag = p[0];
  }
  if (tag != 0xA3) return false;
  end = p + m;
  if (!next(&p, end, &tag, &body, &m) || !next(&body, body + m, &tag, &p, &m) || tag != 0x30) return false;
  for (end = p + m; p < end;) {
    const unsigned char *ext, *field;
    size_t k, f;
    if (!next(&p, end, &tag, &ext, &k) || tag != 0x30) return false;
    const unsigned char* ext_end = ext + k;
    const unsigned char* id = ext;
    if (!next(&ext, ext_end, &tag, &field, &f) || tag != 0x06) return false;
    bool match = static_cast<size_t>(ext - id) == oid_len && memcmp(id, oid, oid_len) == 0;
    if (!next(&ext, ext_end, &tag, &field, &f)) return false;
    if (tag == 0x01 && !next(&ext, ext_end, &tag, &field, &f)) return false;  // critical
    if (tag != 0x04) return false;
    if (match) return *value = field, *n = f, true;
  }
  return false;
}

namespace {

// A UTCTime or GeneralizedTime's body (RFC 5280 4.1.2.5: seconds, Z), or -1.
time_t time_of(unsigned char tag, const unsigned char* field, size_t n) {
  bool utc = tag == 0x17;
  if ((tag != 0x17 && tag != 0x18) || n != (utc ? 13u : 15u)) return -1;
  int v[6], off = 0;
  for (int i = 0; i < 6; i++) {
    int w = utc || i > 0 ? 2 : 4, x = 0;
    for (int j = 0; j < w; j++, off++) {
      if (field[off] < '0' || field[off] > '9') return -1;
      x = x * 10 + (field[off] - '0');
    }
    v[i] = x;
  }
  if (utc) v[0] += v[0] < 50 ? 2000 : 1900;
  return static_cast<time_t>(base::unix_from_civil({v[0], v[1], v[2], v[3], v[4], v[5], 0}));
}

}  // namespace

bool validity(const unsigned char* cert, size_t len, time_t* from, time_t* until) {
  const unsigned char *p, *end, *field;
  unsigned char tag;
  size_t n;
  if (!tbs_field(cert, len, 3, &p, &n)) return false;  // validity
  end = p + n;
  if (!next(&p, end, &tag, &field, &n) || tag != 0x30) return false;
  p = field, end = field + n;
  if (!next(&p, end, &tag, &field, &n) || (*from = time_of(tag, field, n)) < 0) return false;
  return next(&p, end, &tag, &field, &n) && (*until = time_of(tag, field, n)) >= 0;
}

time_t not_after(const unsigned char* cert, size_t len) {
  time_t from, until;
  return validity(cert, len, &from, &until) ? until : -1;
}

}  // namespace tls::der
