// SPDX-License-Identifier: MIT
#include "tls/selfsigned.h"

#include <arpa/inet.h>
#include <bearssl.h>
#include <cstring>
#include <ctime>
#include <initializer_list>
#include <sys/random.h>
#include <sys/stat.h>

#include "base/civil.h"
#include "base/fs.h"
#include "tls/creds.h"

namespace tls {
namespace {

using Bytes = std::vector<unsigned char>;

constexpr time_t kDay = 24 * 3600;
constexpr time_t kLifetime = 825 * kDay;
constexpr time_t kRenewBefore = 30 * kDay;

// Object identifiers, already DER-encoded (tag, length, arcs).
constexpr unsigned char kEcdsaSha256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
constexpr unsigned char kEcPublicKey[] = {0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
constexpr unsigned char kP256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr unsigned char kCommonName[] = {0x06, 0x03, 0x55, 0x04, 0x03};
constexpr unsigned char kSubjectAltName[] = {0x06, 0x03, 0x55, 0x1D, 0x11};
// basicConstraints, critical, CA:FALSE (an empty SEQUENCE).
constexpr unsigned char kNotCa[] = {0x30, 0x0C, 0x06, 0x03, 0x55, 0x1D, 0x13, 0x01,
                                    0x01, 0xFF, 0x04, 0x02, 0x30, 0x00};
// extKeyUsage: id-kp-serverAuth.
constexpr unsigned char kServerAuth[] = {0x30, 0x13, 0x06, 0x03, 0x55, 0x1D, 0x25, 0x04, 0x0C, 0x30, 0x0A,
                                         0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};

Bytes raw(const void* p, size_t n) {
  auto* b = static_cast<const unsigned char*>(p);
  return Bytes(b, b + n);
}
template <size_t N>
Bytes raw(const unsigned char (&a)[N]) {
  return raw(a, N);
}

// One TLV with DER's definite length, short form below 128 bytes.
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

Bytes seq(std::initializer_list<Bytes> parts) {
  Bytes body;
  for (const Bytes& p : parts) body.insert(body.end(), p.begin(), p.end());
  return tlv(0x30, body);
}

Bytes bit_string(const unsigned char* p, size_t n) {
  Bytes body{0x00};  // no unused bits
  body.insert(body.end(), p, p + n);
  return tlv(0x03, body);
}

// UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5).
Bytes der_time(time_t t) {
  base::Civil c = base::civil_from_unix(t);
  char s[32];
  bool utc = c.year >= 1950 && c.year < 2050;
  int n = snprintf(s, sizeof s, "%0*d%02d%02d%02d%02d%02dZ", utc ? 2 : 4, utc ? c.year % 100 : c.year, c.month, c.day,
                   c.hour, c.minute, c.second);
  return tlv(utc ? 0x17 : 0x18, raw(s, static_cast<size_t>(n)));
}

// The SAN extension: the host as a DNS name (or an IP address when it is
// one), then each address.  Also what a kept certificate must contain.
Bytes san_extension(const std::string& host, const std::vector<std::string>& ips) {
  Bytes names;
  unsigned char a[16];
  auto add = [&names](unsigned char tag, const Bytes& b) {
    Bytes t = tlv(tag, b);
    names.insert(names.end(), t.begin(), t.end());
  };
  if (inet_pton(AF_INET, host.c_str(), a) == 1) add(0x87, raw(a, 4));
  else if (inet_pton(AF_INET6, host.c_str(), a) == 1) add(0x87, raw(a, 16));
  else add(0x82, raw(host.data(), host.size()));  // [2] dNSName
  for (const std::string& ip : ips) add(0x87, raw(ip.data(), ip.size()));  // [7] iPAddress
  return seq({raw(kSubjectAltName), tlv(0x04, tlv(0x30, names))});
}

// The next TLV of [*p, end) (lengths up to 3 bytes); false when malformed.
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

// notAfter of a DER certificate, or -1.
time_t not_after(const unsigned char* der, size_t len) {
  const unsigned char *p = der, *end = der + len, *body;
  unsigned char tag;
  size_t n;
  if (!next(&p, end, &tag, &body, &n) || tag != 0x30) return -1;    // Certificate
  p = body, end = body + n;
  if (!next(&p, end, &tag, &body, &n) || tag != 0x30) return -1;    // TBSCertificate
  p = body, end = body + n;
  const unsigned char* field;
  if (!next(&p, end, &tag, &field, &n)) return -1;
  if (tag == 0xA0 && !next(&p, end, &tag, &field, &n)) return -1;   // version, then serial
  for (int i = 0; i < 3; i++) {                                       // signature, issuer, validity
    if (!next(&p, end, &tag, &field, &n)) return -1;
  }
  p = field, end = field + n;
  if (!next(&p, end, &tag, &field, &n) || !next(&p, end, &tag, &field, &n)) return -1;
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

bool contains(const br_x509_certificate& c, const void* p, size_t n) {
  return memmem(c.data, c.data_len, p, n) != nullptr;
}

// Does the certificate name `host` as a DNS SAN (what browsers look at; a
// common name alone they ignore)?  A byte search over the DER for the
// dNSName, like contains(): the pair is one portico would serve anyway;
// this only decides whether it is for the name asked.
bool names(const br_x509_certificate& c, const std::string& host) {
  Bytes b = tlv(0x82, raw(reinterpret_cast<const unsigned char*>(host.data()), host.size()));
  return contains(c, b.data(), b.size());
}

// Is the pair on disk still good: a key that is the certificate's (Creds::load
// checks that) and 30 days left, and then either one made here (P-256) with
// the same SANs, or one left by code-server (openssl's RSA) or the user that
// names the host.  Such a pair is kept as it is, addresses or not: the
// browsers that trust it, or were told to, keep doing so.
// `why` says what is wrong with a pair that is there and not usable.
bool usable(const std::string& cert_file, const std::string& key_file, const std::string& host, const Bytes& san,
            time_t now, std::string* why) {
  std::string err;
  CredsRef c = Creds::load(cert_file, key_file, &err);
  if (!c) return *why = err, false;
  const br_x509_certificate& leaf = c->chain()[0];
  if (not_after(leaf.data, leaf.data_len) <= now + kRenewBefore) return *why = "fewer than 30 days left", false;
  if (!c->is_rsa() && c->ec()->curve == BR_EC_secp256r1) {
    return contains(leaf, san.data(), san.size()) || (*why = "made for other names or addresses", false);
  }
  return names(leaf, host) || (*why = "no DNS name " + host + " in it", false);
}

// A pair that is replaced is kept beside as .old: it may be one a browser
// was told to trust, or the user's own.
bool keep_old(const std::string& file) {
  struct stat st;
  return lstat(file.c_str(), &st) != 0 || rename(file.c_str(), (file + ".old").c_str()) == 0;
}

std::string pem(const char* banner, const unsigned char* der, size_t n) {
  std::string out(br_pem_encode(nullptr, der, n, banner, BR_PEM_LINE64) + 1, '\0');
  out.resize(br_pem_encode(&out[0], der, n, banner, BR_PEM_LINE64));
  return out;
}

bool make(const std::string& cert_file, const std::string& key_file, const std::string& host, const Bytes& san,
          time_t now, std::string* err) {
  unsigned char seed[48];
  if (getrandom(seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) return *err = "getrandom failed", false;
  br_hmac_drbg_context rng;
  br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof seed);
  const br_ec_impl* ec = br_ec_get_default();
  br_ec_private_key sk;
  unsigned char skbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
  br_ec_public_key pk;
  unsigned char pkbuf[BR_EC_KBUF_PUB_MAX_SIZE];
  if (br_ec_keygen(&rng.vtable, ec, &sk, skbuf, BR_EC_secp256r1) == 0 || br_ec_compute_pub(ec, &pk, pkbuf, &sk) == 0) {
    return *err = "P-256 key generation failed", false;
  }
  unsigned char serial[16];
  br_hmac_drbg_generate(&rng, serial, sizeof serial);
  serial[0] = (serial[0] & 0x7F) | 0x40;  // positive, and minimal as DER wants

  Bytes name = seq({tlv(0x31, seq({raw(kCommonName), tlv(0x0C, raw(host.data(), host.size()))}))});
  Bytes tbs = seq({
      tlv(0xA0, tlv(0x02, Bytes{0x02})),  // version 3
      tlv(0x02, raw(serial, sizeof serial)),
      seq({raw(kEcdsaSha256)}),
      name,
      seq({der_time(now - kDay), der_time(now - kDay + kLifetime)}),  // a day back: clocks of boards drift
      name,
      seq({seq({raw(kEcPublicKey), raw(kP256)}), bit_string(pk.q, pk.qlen)}),
      tlv(0xA3, seq({san, raw(kNotCa), raw(kServerAuth)})),
  });
  unsigned char hash[32], sig[80];
  br_sha256_context h;
  br_sha256_init(&h);
  br_sha256_update(&h, tbs.data(), tbs.size());
  br_sha256_out(&h, hash);
  size_t sig_len = br_ecdsa_sign_asn1_get_default()(ec, &br_sha256_vtable, hash, &sk, sig);
  Bytes cert = seq({tbs, seq({raw(kEcdsaSha256)}), bit_string(sig, sig_len)});

  unsigned char key_der[BR_EC_KBUF_PRIV_MAX_SIZE + BR_EC_KBUF_PUB_MAX_SIZE + 32];
  size_t key_len = br_encode_ec_raw_der(key_der, &sk, &pk);
  std::string key_pem = pem("EC PRIVATE KEY", key_der, key_len), cert_pem = pem("CERTIFICATE", cert.data(), cert.size());
  explicit_bzero(&rng, sizeof rng);
  explicit_bzero(skbuf, sizeof skbuf);
  explicit_bzero(key_der, sizeof key_der);
  // The key first: a crash between the two leaves a pair that does not
  // match, which the next start replaces.
  bool ok = sig_len != 0 && key_len != 0 && base::write_secret(key_file, key_pem.data(), key_pem.size()) &&
            base::write_secret(cert_file, cert_pem.data(), cert_pem.size());
  explicit_bzero(&key_pem[0], key_pem.size());
  if (!ok) return *err = "cannot write " + key_file + " or " + cert_file + ": " + strerror(errno), false;
  return true;
}

}  // namespace

bool ensure_self_signed(const std::string& dir, const std::string& host, const std::vector<std::string>& ips,
                        std::string* cert_file, std::string* key_file, bool* made, std::string* replaced,
                        std::string* err) {
  std::string stem = host;
  for (char& ch : stem) ch = ch == '.' || ch == ':' ? '_' : ch;
  *cert_file = dir + "/" + stem + ".crt";
  *key_file = dir + "/" + stem + ".key";
  Bytes san = san_extension(host, ips);
  time_t now = time(nullptr);
  struct stat st;
  bool there = lstat(cert_file->c_str(), &st) == 0 || lstat(key_file->c_str(), &st) == 0;
  std::string why;
  *made = !usable(*cert_file, *key_file, host, san, now, &why);
  replaced->clear();
  if (!*made) return true;
  if (there) {
    *replaced = why;
    if (!keep_old(*cert_file) || !keep_old(*key_file)) {
      return *err = "cannot keep the old pair (" + why + ") as " + *cert_file + ".old: " + strerror(errno), false;
    }
  }
  return make(*cert_file, *key_file, host, san, now, err);
}

}  // namespace tls
