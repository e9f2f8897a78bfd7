// SPDX-License-Identifier: MIT
#include "tls/local_ca.h"

#include <algorithm>
#include <arpa/inet.h>
#include <bearssl.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fs.h"
#include "tls/creds.h"
#include "tls/der.h"

namespace tls {
namespace {

using der::append;
using der::Bytes;
using der::raw;
using der::seq;
using der::tlv;

constexpr time_t kDay = 24 * 3600;
constexpr time_t kLeafLifetime = 825 * kDay;
constexpr time_t kCaLifetime = 20 * 365 * kDay;
constexpr time_t kRenewBefore = 30 * kDay;

// Object identifiers and fixed extensions, already DER-encoded.
constexpr unsigned char kEcdsaSha256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x02};
constexpr unsigned char kEcPublicKey[] = {0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
constexpr unsigned char kP256[] = {0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};
constexpr unsigned char kCommonName[] = {0x06, 0x03, 0x55, 0x04, 0x03};
constexpr unsigned char kSubjectAltName[] = {0x06, 0x03, 0x55, 0x1D, 0x11};
constexpr unsigned char kNameConstraints[] = {0x06, 0x03, 0x55, 0x1D, 0x1E};
constexpr unsigned char kSubjectKeyId[] = {0x06, 0x03, 0x55, 0x1D, 0x0E};
constexpr unsigned char kAuthorityKeyId[] = {0x06, 0x03, 0x55, 0x1D, 0x23};
constexpr unsigned char kCritical[] = {0x01, 0x01, 0xFF};
// basicConstraints, critical: CA:FALSE (an empty SEQUENCE); CA:TRUE, pathLen 0.
constexpr unsigned char kNotCa[] = {0x30, 0x0C, 0x06, 0x03, 0x55, 0x1D, 0x13, 0x01,
                                    0x01, 0xFF, 0x04, 0x02, 0x30, 0x00};
constexpr unsigned char kCaOnly[] = {0x30, 0x12, 0x06, 0x03, 0x55, 0x1D, 0x13, 0x01, 0x01, 0xFF,
                                     0x04, 0x08, 0x30, 0x06, 0x01, 0x01, 0xFF, 0x02, 0x01, 0x00};
// keyUsage, critical: digitalSignature (the leaf); keyCertSign, cRLSign (the CA).
constexpr unsigned char kSigns[] = {0x30, 0x0E, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01,
                                    0x01, 0xFF, 0x04, 0x04, 0x03, 0x02, 0x07, 0x80};
constexpr unsigned char kCertSign[] = {0x30, 0x0E, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x01,
                                       0x01, 0xFF, 0x04, 0x04, 0x03, 0x02, 0x01, 0x06};
// extKeyUsage: id-kp-serverAuth (on the CA too: browsers apply it to what it signs).
constexpr unsigned char kServerAuth[] = {0x30, 0x13, 0x06, 0x03, 0x55, 0x1D, 0x25, 0x04, 0x0C, 0x30, 0x0A,
                                         0x06, 0x08, 0x2B, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x01};

constexpr const char kCaStem[] = "portico-ca";

// dNSName [2] and iPAddress [7], as a SAN lists them.
Bytes dns_name(const std::string& n) { return tlv(0x82, raw(n)); }
Bytes ip_name(const std::string& a) { return tlv(0x87, raw(a)); }

// A constraint's subtree: the name (and names below it); an address with a
// full mask.
Bytes dns_subtree(const std::string& n) { return tlv(0x30, dns_name(n)); }
Bytes ip_subtree(const std::string& a) {
  Bytes v = raw(a);
  append(&v, Bytes(a.size(), 0xFF));
  return tlv(0x30, tlv(0x87, v));
}

Bytes extension(const unsigned char (&oid)[5], bool critical, const Bytes& value) {
  Bytes body = raw(oid);
  if (critical) append(&body, raw(kCritical));
  append(&body, tlv(0x04, value));
  return tlv(0x30, body);
}

Bytes san_extension(const std::vector<std::string>& dns, const std::vector<std::string>& ips) {
  Bytes names;
  for (const std::string& d : dns) append(&names, dns_name(d));
  for (const std::string& a : ips) append(&names, ip_name(a));
  return extension(kSubjectAltName, false, tlv(0x30, names));
}

// permittedSubtrees only ([0]), one per name and address.  Both kinds are
// listed, so that neither is left open (RFC 5280: a kind of name with no
// subtree is not constrained at all).
Bytes constraints_extension(const BoxNames& n) {
  Bytes subtrees;
  for (const std::string& d : n.dns) append(&subtrees, dns_subtree(d));
  for (const std::string& a : n.ips) append(&subtrees, ip_subtree(a));
  return extension(kNameConstraints, true, tlv(0x30, tlv(0xA0, subtrees)));
}

bool contains(const br_x509_certificate& c, const Bytes& b) {
  return memmem(c.data, c.data_len, b.data(), b.size()) != nullptr;
}

bool dns_ok(std::string* n);

// What a CA's name constraints permit, subtree by subtree of [0]: DNS
// names as portico writes them (lower case, no leading or trailing dot:
// OpenSSL reads ".com" as all of com), and addresses with a full mask.
// Not `ok`, and empty, when they do not decode, exclude anything ([1]),
// hold another name or a partial mask, or leave a kind of name open: not
// the shape portico gives its CA.
struct Permitted {
  std::vector<std::string> dns, ips;
  bool ok() const { return !dns.empty() && !ips.empty(); }
};

Permitted permitted(const br_x509_certificate& c) {
  const unsigned char *p, *end, *body;
  unsigned char tag;
  size_t n;
  Permitted out;
  if (!der::extension(c.data, c.data_len, kNameConstraints, sizeof kNameConstraints, &p, &n)) return out;
  if (!der::next(&p, p + n, &tag, &body, &n) || tag != 0x30) return out;
  for (p = body, end = body + n; p < end;) {
    if (!der::next(&p, end, &tag, &body, &n) || tag != 0xA0) return Permitted{};
    for (const unsigned char *q = body, *q_end = body + n; q < q_end;) {
      const unsigned char *sub, *name;
      size_t m, k;
      if (!der::next(&q, q_end, &tag, &sub, &m) || tag != 0x30 || !der::next(&sub, sub + m, &tag, &name, &k)) {
        return Permitted{};
      }
      std::string v(reinterpret_cast<const char*>(name), k), as_written = v;
      if (tag == 0x82 && dns_ok(&v) && v == as_written) {
        out.dns.push_back(v);
      } else if (tag == 0x87 && (k == 8 || k == 32) && v.find_first_not_of('\xff', k / 2) == std::string::npos) {
        out.ips.push_back(v.substr(0, k / 2));
      } else {
        return Permitted{};
      }
    }
  }
  return out.ok() ? out : Permitted{};
}

bool has(const std::vector<std::string>& v, const std::string& x) { return std::find(v.begin(), v.end(), x) != v.end(); }

// A subtree that would permit another's names: one label, but localhost
// (RFC 6761 keeps *.localhost on the machine itself).
bool too_broad(const std::string& d) { return d.find('.') == std::string::npos && d != "localhost"; }

// As RFC 5280 matches a dNSName against a permitted subtree: the name
// itself, or one with labels added on the left.
bool covers(const std::vector<std::string>& permitted, const std::string& d) {
  for (const std::string& p : permitted) {
    if (d == p) return true;
    size_t at = d.size() - p.size();
    if (d.size() > p.size() && d[at - 1] == '.' && d.compare(at, p.size(), p) == 0) return true;
  }
  return false;
}

// A key pair; the private part is wiped with the object when it owns it.
struct Key {
  br_ec_private_key sk{};
  br_ec_public_key pk{};
  unsigned char skbuf[BR_EC_KBUF_PRIV_MAX_SIZE];
  unsigned char pkbuf[BR_EC_KBUF_PUB_MAX_SIZE];
  Key() = default;
  Key(const Key&) = delete;
  ~Key() { explicit_bzero(skbuf, sizeof skbuf); }
  bool make(const br_prng_class** rng) {
    const br_ec_impl* ec = br_ec_get_default();
    return br_ec_keygen(rng, ec, &sk, skbuf, BR_EC_secp256r1) != 0 && br_ec_compute_pub(ec, &pk, pkbuf, &sk) != 0;
  }
  // A private key read from disk (its bytes stay where they are), and its
  // public half.
  bool of(const br_ec_private_key& from) {
    sk = from;
    return sk.curve == BR_EC_secp256r1 && br_ec_compute_pub(br_ec_get_default(), &pk, pkbuf, &sk) != 0;
  }
  // RFC 5280 4.2.1.2, method 1: SHA-1 of the public key's bits.
  Bytes id() const {
    unsigned char h[20];
    br_sha1_context c;
    br_sha1_init(&c);
    br_sha1_update(&c, pk.q, pk.qlen);
    br_sha1_out(&c, h);
    return raw(h, sizeof h);
  }
};

Bytes common_name(const std::string& cn) { return seq({tlv(0x31, seq({raw(kCommonName), tlv(0x0C, raw(cn))}))}); }

Bytes field(const br_x509_certificate& c, int k) {
  const unsigned char* at;
  size_t n;
  return der::tbs_field(c.data, c.data_len, k, &at, &n) ? raw(at, n) : Bytes{};
}
Bytes issuer_of(const br_x509_certificate& c) { return field(c, 2); }
Bytes subject_of(const br_x509_certificate& c) { return field(c, 4); }

// Was `leaf` signed by `ca` (whose key is `ca_key`), and is it valid now?
// BearSSL's X.509 validator, with the CA as the one trust anchor.
bool signed_by(const br_x509_certificate& leaf, const br_x509_certificate& ca, const Key& ca_key) {
  Bytes dn = subject_of(ca);
  if (dn.empty() || issuer_of(leaf) != dn) return false;
  br_x509_trust_anchor ta{};
  ta.dn.data = dn.data();
  ta.dn.len = dn.size();
  ta.flags = BR_X509_TA_CA;
  ta.pkey.key_type = BR_KEYTYPE_EC;
  ta.pkey.key.ec = ca_key.pk;
  br_x509_minimal_context x;
  br_x509_minimal_init(&x, &br_sha256_vtable, &ta, 1);
  br_x509_minimal_set_hash(&x, br_sha256_ID, &br_sha256_vtable);
  br_x509_minimal_set_ecdsa(&x, br_ec_get_default(), br_ecdsa_vrfy_asn1_get_default());
  const br_x509_class** v = &x.vtable;
  (*v)->start_chain(v, nullptr);
  (*v)->start_cert(v, static_cast<uint32_t>(leaf.data_len));
  (*v)->append(v, leaf.data, leaf.data_len);
  (*v)->end_cert(v);
  return (*v)->end_chain(v) == BR_ERR_OK;
}

std::string pem(const char* banner, const unsigned char* der, size_t n) {
  std::string out(br_pem_encode(nullptr, der, n, banner, BR_PEM_LINE64) + 1, '\0');
  out.resize(br_pem_encode(&out[0], der, n, banner, BR_PEM_LINE64));
  return out;
}

// Signs a certificate for `key` with `signer` and writes the pair: both
// beside as .new, then moved in place, the key first (finish_move).
bool issue(const Bytes& subject, const Bytes& issuer, time_t lifetime, const Bytes& extensions, const Key& key,
           const Key& signer, const br_prng_class** rng, const std::string& cert_file, const std::string& key_file,
           std::string* err) {
  unsigned char serial[16];
  (*rng)->generate(rng, serial, sizeof serial);
  serial[0] = (serial[0] & 0x7F) | 0x40;  // positive, and minimal as DER wants
  time_t now = ::time(nullptr);
  Bytes tbs = seq({
      tlv(0xA0, tlv(0x02, Bytes{0x02})),  // version 3
      tlv(0x02, raw(serial, sizeof serial)),
      seq({raw(kEcdsaSha256)}),
      issuer,
      seq({der::time(now - kDay), der::time(now - kDay + lifetime)}),  // a day back: clocks of boards drift
      subject,
      seq({seq({raw(kEcPublicKey), raw(kP256)}), der::bit_string(key.pk.q, key.pk.qlen)}),
      tlv(0xA3, tlv(0x30, extensions)),
  });
  unsigned char hash[32], sig[80];
  br_sha256_context h;
  br_sha256_init(&h);
  br_sha256_update(&h, tbs.data(), tbs.size());
  br_sha256_out(&h, hash);
  size_t sig_len = br_ecdsa_sign_asn1_get_default()(br_ec_get_default(), &br_sha256_vtable, hash, &signer.sk, sig);
  Bytes cert = seq({tbs, seq({raw(kEcdsaSha256)}), der::bit_string(sig, sig_len)});

  unsigned char key_der[BR_EC_KBUF_PRIV_MAX_SIZE + BR_EC_KBUF_PUB_MAX_SIZE + 32];
  size_t key_len = br_encode_ec_raw_der(key_der, &key.sk, &key.pk);
  std::string key_pem = pem("EC PRIVATE KEY", key_der, key_len), cert_pem = pem("CERTIFICATE", cert.data(), cert.size());
  explicit_bzero(key_der, sizeof key_der);
  bool ok = sig_len != 0 && key_len != 0 && base::write_secret(key_file + ".new", key_pem.data(), key_pem.size()) &&
            base::write_secret(cert_file + ".new", cert_pem.data(), cert_pem.size()) &&
            rename((key_file + ".new").c_str(), key_file.c_str()) == 0 &&
            rename((cert_file + ".new").c_str(), cert_file.c_str()) == 0;
  explicit_bzero(&key_pem[0], key_pem.size());
  if (!ok) return *err = "cannot write " + key_file + " or " + cert_file + ": " + strerror(errno), false;
  return true;
}

bool exists(const std::string& f) {
  struct stat st;
  return lstat(f.c_str(), &st) == 0;
}

// A crash between issue()'s two renames leaves the key in place and the
// certificate beside it, as .new: put it in place when the two belong
// together (a .new key still there means neither was moved).  Only into
// an empty place (issue() is only called once the old pair is out of the
// way): a pair put back by hand since is not overwritten.
void finish_move(const std::string& cert_file, const std::string& key_file) {
  std::string cert_new = cert_file + ".new", key_new = key_file + ".new", why;
  if (!exists(cert_new) || exists(cert_file)) return;
  if (exists(key_new) && !exists(key_file) && Creds::load(cert_new, key_new, &why)) {
    rename(key_new.c_str(), key_file.c_str());
  }
  if (!exists(key_new) && Creds::load(cert_new, key_file, &why)) rename(cert_new.c_str(), cert_file.c_str());
}

// Files that are there must be read; a passing error (EACCES, EIO, a
// directory in the way) must not replace a pair a browser trusts.  Their
// absence, or a file too big to be a pair, is no such error.
bool readable(const std::string& f, std::string* err) {
  std::string text;
  bool ok = base::read_small(f, 1 << 20, &text, base::Links::Follow);
  if (!text.empty()) explicit_bzero(&text[0], text.size());
  if (ok || errno == ENOENT || errno == EFBIG) return true;
  return *err = "cannot read " + f + ": " + base::read_error(), false;
}

// A pair that is replaced is kept beside as .old, or .old.2 to .old.9
// when that is taken: it may be one a browser was told to trust, or the
// user's own, and so may be each earlier one.  `kept_as` says where the
// certificate went.
bool keep_old(const std::string& cert_file, const std::string& key_file, const std::string& why,
              std::string* kept_as, std::string* err) {
  std::string suffix = ".old";
  for (int i = 2; exists(cert_file + suffix) || exists(key_file + suffix); i++) {
    if (i > 9) return *err = "cannot keep the old pair (" + why + "): " + cert_file + ".old to .old.9 are there", false;
    suffix = ".old." + std::to_string(i);
  }
  for (const std::string* f : {&cert_file, &key_file}) {
    if (exists(*f) && rename(f->c_str(), (*f + suffix).c_str()) != 0) {
      return *err = "cannot keep the old pair (" + why + ") as " + *f + suffix + ": " + strerror(errno), false;
    }
  }
  *kept_as = (exists(cert_file + suffix) ? cert_file : key_file) + suffix;
  return true;
}

// Did portico make this leaf in the data directory: with a CA of its own,
// or before it had one (self-signed, EC, for the host alone, with just the
// SAN, CA:FALSE and serverAuth, 825 days)?  Anyone else's is served as it
// is; portico's is checked against the CA in use.
bool portico_made(const br_x509_certificate& c, const Creds& pair, const Bytes& host_cn) {
  static const std::string kOurs = "portico CA ";
  Bytes issuer = issuer_of(c), marks = raw(kNotCa);
  append(&marks, raw(kServerAuth));
  if (std::search(issuer.begin(), issuer.end(), kOurs.begin(), kOurs.end()) != issuer.end()) return true;
  time_t from, until;
  return !pair.is_rsa() && issuer == host_cn && subject_of(c) == host_cn && contains(c, marks) &&
         der::validity(c.data, c.data_len, &from, &until) && until - from == kLeafLifetime;
}

bool lasts(const br_x509_certificate& c, time_t now) { return der::not_after(c.data, c.data_len) > now + kRenewBefore; }

// A DNS name a certificate can carry: letters, digits and hyphens in
// labels of 1 to 63, at most 253 in all; lower-cased.
bool dns_ok(std::string* n) {
  if (n->empty() || n->size() > 253) return false;
  size_t label = 0;
  for (char& ch : *n) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    bool letter = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    if (ch == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (!letter || ++label > 63) {
      return false;
    }
  }
  return label > 0;
}

std::string hex(const Bytes& b, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n && i < b.size(); i++) s += {kHex[b[i] >> 4], kHex[b[i] & 15]};
  return s;
}

}  // namespace

BoxNames box_names(const std::string& cert_host, const std::string& hostname, const std::vector<std::string>& ips) {
  BoxNames n;
  auto dns = [&n](std::string d) {
    if (!dns_ok(&d)) return;
    std::vector<std::string>& to = d.find('.') == std::string::npos && d != "localhost" ? n.single : n.dns;
    if (std::find(to.begin(), to.end(), d) == to.end()) to.push_back(d);
  };
  auto ip = [&n](const std::string& a) {
    if ((a.size() == 4 || a.size() == 16) && std::find(n.ips.begin(), n.ips.end(), a) == n.ips.end()) n.ips.push_back(a);
  };
  unsigned char a[16];
  if (inet_pton(AF_INET, cert_host.c_str(), a) == 1) n.host_ip.assign(reinterpret_cast<char*>(a), 4);
  else if (inet_pton(AF_INET6, cert_host.c_str(), a) == 1) n.host_ip.assign(reinterpret_cast<char*>(a), 16);
  else dns(cert_host);
  if (!n.host_ip.empty()) ip(n.host_ip);
  if (!hostname.empty()) {
    dns(hostname);
    dns(hostname.substr(0, hostname.find('.')) + ".local");  // its mDNS name
  }
  dns("localhost");
  for (const std::string& i : ips) ip(i);
  ip(std::string("\x7f\0\0\1", 4));
  ip(std::string(15, '\0') + '\1');
  return n;
}

bool ensure_local_ca(const std::string& dir, const std::string& host, const BoxNames& names, Issued* out,
                     std::string* err) {
  std::string stem = host;
  for (char& ch : stem) ch = ch == '.' || ch == ':' ? '_' : ch;
  *out = Issued{};
  out->cert_file = dir + "/" + stem + ".crt";
  out->key_file = dir + "/" + stem + ".key";
  out->ca_file = dir + "/" + kCaStem + ".crt";
  const std::string ca_key_file = dir + "/" + kCaStem + ".key";
  finish_move(out->ca_file, ca_key_file);
  finish_move(out->cert_file, out->key_file);
  for (const std::string& f : {out->ca_file, ca_key_file, out->cert_file, out->key_file}) {
    if (!readable(f, err)) return false;
  }
  time_t now = ::time(nullptr);
  std::string why;

  // A pair someone else made for the host (code-server's openssl, mkcert,
  // the user) is served as it is: the browsers that trust it, or were told
  // to, go on.
  CredsRef leaf;
  bool there = exists(out->cert_file) || exists(out->key_file);
  if (there) leaf = Creds::load(out->cert_file, out->key_file, &why);
  if (leaf && !portico_made(leaf->chain()[0], *leaf, common_name(host))) {
    Bytes name = names.host_ip.empty() ? dns_name(host) : ip_name(names.host_ip);
    if (!lasts(leaf->chain()[0], now)) why = "fewer than 30 days left";
    else if (!contains(leaf->chain()[0], name)) why = "not made for " + host;
    else return true;
    leaf = CredsRef();
  }

  unsigned char seed[48];
  if (getrandom(seed, sizeof seed, 0) != static_cast<ssize_t>(sizeof seed)) return *err = "getrandom failed", false;
  br_hmac_drbg_context rng;
  br_hmac_drbg_init(&rng, &br_sha256_vtable, seed, sizeof seed);
  explicit_bzero(seed, sizeof seed);

  // The CA, kept while it covers every name and --cert-host's address (any
  // other address it does not cover only stays out of the leaf: addresses
  // come and go, names are the user's), and permits nothing too broad (an
  // earlier portico put one-label host names in).
  Key made_ca_key, held_ca_key;
  std::string ca_why;
  CredsRef ca;
  Permitted allowed;
  if (exists(out->ca_file) || exists(ca_key_file)) {
    ca = Creds::load(out->ca_file, ca_key_file, &ca_why);
    if (ca && (ca->is_rsa() || !held_ca_key.of(*ca->ec()))) ca_why = "not a P-256 key", ca = CredsRef();
    if (ca && !lasts(ca->chain()[0], now)) ca_why = "fewer than 30 days left", ca = CredsRef();
    if (ca && !(allowed = permitted(ca->chain()[0])).ok()) ca_why = "its name constraints are not portico's", ca = CredsRef();
    for (const std::string& d : allowed.dns) {
      if (ca && too_broad(d)) {
        ca_why = "it may sign for every name under " + d + ": remove it from the browsers that trust it";
        ca = CredsRef();
      }
    }
    for (const std::string& d : names.dns) {
      if (ca && !covers(allowed.dns, d)) ca_why = "it does not cover " + d, ca = CredsRef();
    }
    if (ca && !names.host_ip.empty() && !has(allowed.ips, names.host_ip)) {
      ca_why = "it does not cover " + host, ca = CredsRef();
    }
  }
  const Key* ca_key = &held_ca_key;
  if (!ca) {
    // A new CA covers the names of the one it replaces as well (but what
    // was too broad), when that one was portico's: a --cert-host used
    // before needs no new CA when it comes back.  Not its addresses: a
    // box's old address may be another machine's now.
    BoxNames wide = names;
    for (const std::string& d : allowed.dns) {
      if (!too_broad(d) && !covers(wide.dns, d)) wide.dns.push_back(d);
    }
    if (!made_ca_key.make(&rng.vtable)) return *err = "P-256 key generation failed", false;
    if (exists(out->ca_file) || exists(ca_key_file)) {
      out->ca_replaced = ca_why;
      if (!keep_old(out->ca_file, ca_key_file, ca_why, &out->ca_kept_as, err)) return false;
    }
    Bytes id = made_ca_key.id();
    Bytes subject = common_name("portico CA " + hex(id, 4) + " for " + host);  // unique: stores key CAs by name
    Bytes ext;
    append(&ext, raw(kCaOnly));
    append(&ext, raw(kCertSign));
    append(&ext, extension(kSubjectKeyId, false, tlv(0x04, id)));
    append(&ext, constraints_extension(wide));
    append(&ext, raw(kServerAuth));
    if (!issue(subject, subject, kCaLifetime, ext, made_ca_key, made_ca_key, &rng.vtable, out->ca_file, ca_key_file,
               err)) {
      return false;
    }
    ca = Creds::load(out->ca_file, ca_key_file, err);
    if (!ca) return false;
    allowed = permitted(ca->chain()[0]);
    out->made_ca = true;
    ca_key = &made_ca_key;
  }
  const br_x509_certificate& ca_cert = ca->chain()[0];
  out->ca_der.assign(reinterpret_cast<const char*>(ca_cert.data), ca_cert.data_len);

  std::vector<std::string> ips;
  for (const std::string& a : names.ips) (has(allowed.ips, a) ? ips : out->outside).push_back(a);
  Bytes san = san_extension(names.dns, ips);
  out->from_ca = true;
  bool renewal = false;  // this CA's own leaf, made again: not worth a .old
  if (leaf && !out->made_ca) {
    const br_x509_certificate& c = leaf->chain()[0];
    renewal = signed_by(c, ca_cert, *ca_key);
    if (!renewal) why = lasts(c, now) ? "not signed by " + out->ca_file : "fewer than 30 days left";
    else if (!lasts(c, now)) why = "fewer than 30 days left";
    else if (!contains(c, san)) why = "made for other names or addresses";
    else return true;
  } else if (leaf) {
    why = out->ca_replaced.empty() ? "not signed by " + out->ca_file : "signed by the CA replaced";
  }
  if (there) {
    // Kept beside unless it is this CA's own leaf, made again: renewals
    // would fill every .old (an address gone is a new leaf).  Out of the
    // way either way, for finish_move.
    out->replaced = why;
    if (!renewal) {
      if (!keep_old(out->cert_file, out->key_file, why, &out->kept_as, err)) return false;
    } else {
      for (const std::string& f : {out->cert_file, out->key_file}) {
        if (unlink(f.c_str()) != 0 && errno != ENOENT) return *err = "cannot remove " + f + ": " + strerror(errno), false;
      }
    }
  }
  Key key;
  if (!key.make(&rng.vtable)) return *err = "P-256 key generation failed", false;
  Bytes ext;
  append(&ext, raw(kNotCa));
  append(&ext, raw(kSigns));
  append(&ext, raw(kServerAuth));
  append(&ext, san);
  append(&ext, extension(kAuthorityKeyId, false, tlv(0x30, tlv(0x80, ca_key->id()))));
  bool ok = issue(common_name(host), subject_of(ca_cert), kLeafLifetime, ext, key, *ca_key, &rng.vtable,
                  out->cert_file, out->key_file, err);
  explicit_bzero(&rng, sizeof rng);
  out->made_leaf = ok;
  return ok;
}

}  // namespace tls
