// SPDX-License-Identifier: MIT
#include "tls/creds.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>

#include "base/fs.h"

namespace tls {
namespace {

constexpr uint32_t kMaxRsaBits = 4096;  // BearSSL's RSA code goes no further

struct Object {
  std::string name;
  std::vector<unsigned char> der;
};

void append(void* ctx, const void* p, size_t n) {
  auto* v = static_cast<std::vector<unsigned char>*>(ctx);
  v->insert(v->end(), static_cast<const unsigned char*>(p), static_cast<const unsigned char*>(p) + n);
}

bool read_pem(const std::string& file, std::vector<Object>* out, std::string* err) {
  // Links followed: certificates are often links into a renewal tool's
  // folder.  A FIFO in their place is refused, not waited on.
  std::string text;
  if (!base::read_small(file, 1 << 20, &text, base::Links::Follow)) return *err = file + ": " + base::read_error(), false;
  text.push_back('\n');  // the decoder needs the last line ended
  br_pem_decoder_context pc;
  br_pem_decoder_init(&pc);
  Object cur;
  bool inside = false;
  for (size_t off = 0; off < text.size();) {
    off += br_pem_decoder_push(&pc, text.data() + off, text.size() - off);
    switch (br_pem_decoder_event(&pc)) {
      case BR_PEM_BEGIN_OBJ:
        cur = Object{br_pem_decoder_name(&pc), {}};
        cur.der.reserve(8192);  // a key's DER is never moved, so never left behind
        br_pem_decoder_setdest(&pc, append, &cur.der);
        inside = true;
        break;
      case BR_PEM_END_OBJ:
        if (inside) out->push_back(std::move(cur));
        inside = false;
        break;
      case BR_PEM_ERROR:
        explicit_bzero(&text[0], text.size());
        return *err = file + ": malformed PEM", false;
      default:
        break;
    }
  }
  explicit_bzero(&text[0], text.size());  // a key's PEM
  explicit_bzero(&pc, sizeof pc);
  if (out->empty()) return *err = file + ": no PEM object", false;
  return true;
}

// Is the private key the leaf's?  It signs a test value, and the public key
// in the certificate must verify it: a pair that does not match would load
// and then fail every handshake.  1 yes, 0 no, -1 the leaf does not decode.
int key_matches(const br_x509_certificate& leaf, int key_type, const br_rsa_private_key& rsa,
                 const br_ec_private_key& ec) {
  br_x509_decoder_context dc;
  br_x509_decoder_init(&dc, nullptr, nullptr);
  br_x509_decoder_push(&dc, leaf.data, leaf.data_len);
  const br_x509_pkey* pk = br_x509_decoder_get_pkey(&dc);
  if (pk == nullptr) return -1;
  if (pk->key_type != key_type) return 0;
  static constexpr char kTest[] = "portico: does this key belong to this certificate?";
  unsigned char hash[32];
  br_sha256_context h;
  br_sha256_init(&h);
  br_sha256_update(&h, kTest, sizeof kTest);
  br_sha256_out(&h, hash);
  if (key_type == BR_KEYTYPE_RSA) {
    unsigned char sig[kMaxRsaBits / 8], back[sizeof hash];
    size_t len = (rsa.n_bitlen + 7) / 8;
    return br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, sizeof hash, &rsa, sig) &&
           br_rsa_pkcs1_vrfy_get_default()(sig, len, BR_HASH_OID_SHA256, sizeof hash, &pk->key.rsa, back) &&
           memcmp(back, hash, sizeof hash) == 0;
  }
  const br_ec_impl* impl = br_ec_get_default();
  unsigned char sig[160];  // an ASN.1 ECDSA signature on P-521 takes at most 139
  size_t len = br_ecdsa_sign_asn1_get_default()(impl, &br_sha256_vtable, hash, &ec, sig);
  return len != 0 && br_ecdsa_vrfy_asn1_get_default()(impl, hash, sizeof hash, &pk->key.ec, sig, len);
}

}  // namespace

CredsRef Creds::load(const std::string& cert_file, const std::string& key_file, std::string* err) {
  CredsRef c(new (std::nothrow) Creds);
  if (!c) return *err = "out of memory", CredsRef();
  if (!c.p_->parse(cert_file, key_file, err)) return CredsRef();
  int match = key_matches(c->chain_[0], c->key_type_, c->rsa_, c->ec_);
  if (match < 0) return *err = cert_file + ": malformed certificate", CredsRef();
  if (match == 0) {
    return *err = "the key in " + key_file + " does not belong to the certificate in " + cert_file, CredsRef();
  }
  return c;
}

bool Creds::parse(const std::string& cert_file, const std::string& key_file, std::string* err) {
  std::vector<Object> certs, keys;
  if (!read_pem(cert_file, &certs, err) || !read_pem(key_file, &keys, err)) return false;
  for (Object& o : certs) {
    if (o.name == "CERTIFICATE" || o.name == "X509 CERTIFICATE") der_.push_back(std::move(o.der));
  }
  if (der_.empty()) return *err = cert_file + ": no CERTIFICATE", false;
  for (auto& d : der_) chain_.push_back(br_x509_certificate{d.data(), d.size()});
  br_skey_decoder_context kc;
  br_skey_decoder_init(&kc);
  for (Object& o : keys) {
    if (o.name.find("PRIVATE KEY") == std::string::npos) continue;
    br_skey_decoder_push(&kc, o.der.data(), o.der.size());
    break;
  }
  key_type_ = br_skey_decoder_key_type(&kc);
  // What held the key on the way (its DER, the decoder) is wiped when this
  // returns; the components are copied to key_bytes_ first.
  struct Wipe {
    std::vector<Object>& keys;
    br_skey_decoder_context& kc;
    ~Wipe() {
      for (Object& o : keys) {
        if (!o.der.empty()) explicit_bzero(o.der.data(), o.der.size());
      }
      explicit_bzero(&kc, sizeof kc);
    }
  } wipe{keys, kc};
  // The decoder's key points into the decoder: copy the components out.
  auto keep = [this](const unsigned char* p, size_t n) {
    size_t at = key_bytes_.size();
    key_bytes_.insert(key_bytes_.end(), p, p + n);
    return at;
  };
  key_bytes_.reserve(4096);
  if (key_type_ == BR_KEYTYPE_RSA) {
    const br_rsa_private_key* k = br_skey_decoder_get_rsa(&kc);
    if (k->n_bitlen > kMaxRsaBits) return *err = key_file + ": RSA key over 4096 bits", false;
    size_t o[5] = {keep(k->p, k->plen), keep(k->q, k->qlen), keep(k->dp, k->dplen), keep(k->dq, k->dqlen),
                   keep(k->iq, k->iqlen)};
    rsa_ = {k->n_bitlen, key_bytes_.data() + o[0], k->plen, key_bytes_.data() + o[1], k->qlen,
            key_bytes_.data() + o[2], k->dplen, key_bytes_.data() + o[3], k->dqlen, key_bytes_.data() + o[4], k->iqlen};
  } else if (key_type_ == BR_KEYTYPE_EC) {
    const br_ec_private_key* k = br_skey_decoder_get_ec(&kc);
    size_t o = keep(k->x, k->xlen);
    ec_ = {k->curve, key_bytes_.data() + o, k->xlen};
  } else {
    return *err = key_file + ": no RSA or EC private key", false;
  }
  return true;
}

void fingerprint(const void* der, size_t len, char (&out)[96]) {
  unsigned char h[32];
  br_sha256_context c;
  br_sha256_init(&c);
  br_sha256_update(&c, der, len);
  br_sha256_out(&c, h);
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < sizeof h; i++) {
    out[3 * i] = kHex[h[i] >> 4];
    out[3 * i + 1] = kHex[h[i] & 15];
    out[3 * i + 2] = i + 1 < sizeof h ? ':' : '\0';
  }
}

}  // namespace tls
