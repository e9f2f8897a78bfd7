// SPDX-License-Identifier: MIT
#include "auth/sessions.h"

#include <bearssl_hmac.h>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/ct.h"
#include "base/base64.h"
#include "base/fs.h"
#include "base/log.h"

namespace auth {
namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kBody = 1 + 8 + 16;         // version, expiry, id
constexpr size_t kRaw = kBody + 32;          // + HMAC-SHA256
// Revocation table, at most half full: 1024 logouts a session lifetime,
// then the key is rotated (see revoke()).  48 KiB, touched at start.
constexpr size_t kSlots = 2048;
constexpr size_t kRecord = 16 + 8;

static_assert((kRaw * 8 + 5) / 6 == Sessions::kTokenChars, "token size");

void hmac(const uint8_t* key, const void* data, size_t n, uint8_t out[32]) {
  br_hmac_key_context kc;
  br_hmac_key_init(&kc, &br_sha256_vtable, key, 32);
  br_hmac_context hc;
  br_hmac_init(&hc, &kc, 0);
  br_hmac_update(&hc, data, n);
  br_hmac_out(&hc, out);
}

void put64(uint8_t* p, int64_t v) {
  for (int i = 0; i < 8; i++) p[i] = static_cast<uint8_t>(static_cast<uint64_t>(v) >> (56 - 8 * i));
}

int64_t get64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; i++) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}

bool read_exact(const std::string& path, uint8_t* out, size_t n) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  ssize_t r = read(fd, out, n);
  uint8_t extra;
  bool ok = r == static_cast<ssize_t>(n) && read(fd, &extra, 1) == 0;
  close(fd);
  return ok;
}


}  // namespace

bool Sessions::open(const std::string& dir, std::string_view fingerprint, uint32_t lifetime_s, std::string* err) {
  dir_ = dir;
  fingerprint_ = std::string(fingerprint);
  lifetime_ = lifetime_s;
  if (!base::make_dirs(dir)) return *err = "mkdir " + dir + ": " + strerror(errno), false;
  std::string key_path = dir + "/portico-session.key";
  if (!read_exact(key_path, master_, sizeof master_)) {
    if (access(key_path.c_str(), F_OK) == 0) return *err = key_path + ": not a 32-byte key file", false;
    if (getrandom(master_, sizeof master_, 0) != static_cast<ssize_t>(sizeof master_) ||
        !base::write_secret(key_path, master_, sizeof master_)) {
      return *err = "cannot create " + key_path + ": " + strerror(errno), false;
    }
  }
  struct stat st;
  if (stat(key_path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    base::logf(base::Level::Warn, "%s is readable by others; making it 0600", key_path.c_str());
    chmod(key_path.c_str(), 0600);
  }
  derive();
  table_.assign(kSlots, Revoked{});
  count_ = 0;
  // Reload the revocations; expired ones are dropped as the file is rewritten.
  std::string list = dir + "/portico-revoked";
  int fd = ::open(list.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    uint8_t rec[kRecord];
    time_t now = time(nullptr);
    while (read(fd, rec, sizeof rec) == static_cast<ssize_t>(sizeof rec) && count_ < kSlots / 2) {
      Revoked r;
      memcpy(r.id, rec, 16);
      r.expires = get64(rec + 16);
      if (r.expires > now) remember(r);
    }
    close(fd);
  }
  return rewrite(time(nullptr), err);
}

void Sessions::derive() {
  static constexpr char kLabel[] = "portico session key v1";
  std::string msg = std::string(kLabel, sizeof kLabel) + fingerprint_;
  hmac(master_, msg.data(), msg.size(), key_);
}

bool Sessions::issue(int64_t now_s, char out[kTokenChars]) {
  uint8_t raw[kRaw];
  raw[0] = kVersion;
  put64(raw + 1, now_s + lifetime_);
  if (getrandom(raw + 9, 16, 0) != 16) return false;
  hmac(key_, raw, kBody, raw + kBody);
  base::b64_encode(raw, kRaw, out, base::B64::Url, false);
  return true;
}

bool Sessions::decode(std::string_view token, int64_t now_s, uint8_t id[16], int64_t* expires) const {
  if (token.size() != kTokenChars) return false;
  uint8_t raw[kRaw];
  size_t o = 0;
  if (!base::b64_decode(token, raw, sizeof raw, &o, base::B64::Url)) return false;
  if (o != kRaw || raw[0] != kVersion) return false;
  uint8_t mac[32];
  hmac(key_, raw, kBody, mac);
  if (!ct_equal(mac, raw + kBody, sizeof mac)) return false;
  *expires = get64(raw + 1);
  memcpy(id, raw + 9, 16);
  return *expires > now_s;
}

bool Sessions::valid(std::string_view token, int64_t now_s) const {
  uint8_t id[16];
  int64_t expires;
  return decode(token, now_s, id, &expires) && !revoked(id);
}

size_t Sessions::slot(const uint8_t id[16]) const {
  uint64_t h;
  memcpy(&h, id, sizeof h);  // the id is random: its bytes are the hash
  return static_cast<size_t>(h % kSlots);
}

bool Sessions::revoked(const uint8_t id[16]) const {
  for (size_t i = slot(id), n = 0; n < kSlots; i = (i + 1) % kSlots, n++) {
    const Revoked& r = table_[i];
    if (r.expires == 0) return false;
    if (memcmp(r.id, id, 16) == 0) return true;
  }
  return false;
}

void Sessions::remember(const Revoked& r) {
  for (size_t i = slot(r.id);; i = (i + 1) % kSlots) {
    if (table_[i].expires == 0) {
      table_[i] = r;
      count_++;
      return;
    }
  }
}

// Writes the live revocations back, dropping expired ones (and rebuilds the
// table from them, which is how expired entries leave memory too).
bool Sessions::rewrite(int64_t now_s, std::string* err) {
  std::vector<uint8_t> bytes;
  std::vector<Revoked> live;
  for (const Revoked& r : table_) {
    if (r.expires > now_s) live.push_back(r);
  }
  table_.assign(kSlots, Revoked{});
  count_ = 0;
  for (const Revoked& r : live) {
    remember(r);
    uint8_t rec[kRecord];
    memcpy(rec, r.id, 16);
    put64(rec + 16, r.expires);
    bytes.insert(bytes.end(), rec, rec + sizeof rec);
  }
  if (!base::write_secret(dir_ + "/portico-revoked", bytes.data(), bytes.size())) {
    return *err = dir_ + "/portico-revoked: " + strerror(errno), false;
  }
  return true;
}

bool Sessions::revoke(std::string_view token, int64_t now_s) {
  uint8_t id[16];
  int64_t expires;
  if (!decode(token, now_s, id, &expires) || revoked(id)) return true;  // nothing to end
  std::string err;
  if (count_ >= kSlots / 2 && (!rewrite(now_s, &err) || count_ >= kSlots / 2)) {
    // More live revocations than the table holds: end every session instead.
    base::logf(base::Level::Warn, "sessions: %zu logouts pending expiry; rotating the session key", count_);
    if (getrandom(master_, sizeof master_, 0) != static_cast<ssize_t>(sizeof master_) ||
        !base::write_secret(dir_ + "/portico-session.key", master_, sizeof master_)) {
      return false;
    }
    derive();
    table_.assign(kSlots, Revoked{});
    count_ = 0;
    return rewrite(now_s, &err);
  }
  Revoked r;
  memcpy(r.id, id, 16);
  r.expires = expires;
  int fd = ::open((dir_ + "/portico-revoked").c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  uint8_t rec[kRecord];
  memcpy(rec, id, 16);
  put64(rec + 16, expires);
  bool ok = write(fd, rec, sizeof rec) == static_cast<ssize_t>(sizeof rec) && fdatasync(fd) == 0;
  close(fd);
  if (ok) remember(r);
  return ok;
}

}  // namespace auth
