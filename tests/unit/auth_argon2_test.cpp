// SPDX-License-Identifier: MIT
// Argon2 against the RFC 9106 §5 test vectors, BLAKE2b against RFC 7693, and
// PHC strings made by independent implementations (Debian's argon2 command;
// node-argon2 as code-server writes them).
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/argon2.h"
#include "auth/password.h"
#include "auth/blake2b.h"
#include "auth/ct.h"

namespace {

std::string hex(const uint8_t* p, size_t n) {
  static const char d[] = "0123456789abcdef";
  std::string s;
  for (size_t i = 0; i < n; i++) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::string rfc9106(auth::Argon2Type type) {
  uint8_t pwd[32], salt[16], secret[8], ad[12], tag[32];
  memset(pwd, 0x01, sizeof pwd);
  memset(salt, 0x02, sizeof salt);
  memset(secret, 0x03, sizeof secret);
  memset(ad, 0x04, sizeof ad);
  auth::Argon2Params p;
  p.type = type;
  p.m_kib = 32;
  p.t = 3;
  p.p = 4;
  REQUIRE(auth::argon2_hash(p, pwd, sizeof pwd, salt, sizeof salt, secret, sizeof secret, ad, sizeof ad, tag, sizeof tag));
  return hex(tag, sizeof tag);
}

}  // namespace

TEST_CASE("BLAKE2b-512 of \"abc\" (RFC 7693 appendix A)") {
  uint8_t out[64];
  auth::Blake2b::hash(out, 64, "abc", 3);
  CHECK(hex(out, 64) ==
        "ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
        "7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
  // Input spanning several blocks, fed in odd pieces, equals one call.
  std::string big(1000, 'x');
  uint8_t a[64], b[64];
  auth::Blake2b::hash(a, 64, big.data(), big.size());
  auth::Blake2b h;
  h.init(64);
  for (size_t i = 0; i < big.size(); i += 127) h.update(big.data() + i, std::min<size_t>(127, big.size() - i));
  h.final(b);
  CHECK(hex(a, 64) == hex(b, 64));
}

TEST_CASE("RFC 9106 test vectors") {
  CHECK(rfc9106(auth::Argon2Type::D) == "512b391b6f1162975371d30919734294f868e3be3984f3c1a13a4db9fabe4acb");
  CHECK(rfc9106(auth::Argon2Type::I) == "c814d9d1dc7f37aa13f0d77f2494bda1c8de6b016dd388d29952a4c4672b6ce8");
  CHECK(rfc9106(auth::Argon2Type::ID) == "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659");
}

TEST_CASE("PHC strings from other implementations verify") {
  bool match = false;
  // echo -n password | argon2 somesalt -id -t 2 -m 10 -p 1 -e   (Debian's argon2 20190702)
  const char* debian = "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk";
  REQUIRE(auth::argon2_verify(debian, "password", &match));
  CHECK(match);
  REQUIRE(auth::argon2_verify(debian, "passwore", &match));
  CHECK_FALSE(match);
  for (const char* bad : {"", "argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7Ffs", "$argon2x$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$AAAA",
                          "$argon2id$v=19$m=1024,t=2$c29tZXNhbHQ$AAAAAAAA", "$argon2id$v=19$m=1024,t=2,p=1$c29t$AAAAAAAA",
                          "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$AAAA$x", "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$AAAAAAAA",
                          "$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$!!!!!!!!"}) {
    CAPTURE(bad);
    CHECK_FALSE(auth::argon2_verify(bad, "password", &match));
  }
}

TEST_CASE("encode then verify, each type") {
  const uint8_t salt[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  for (auth::Argon2Type t : {auth::Argon2Type::D, auth::Argon2Type::I, auth::Argon2Type::ID}) {
    auth::Argon2Params p;
    p.type = t;
    p.m_kib = 64;
    p.t = 1;
    char phc[160];
    size_t n = auth::argon2_encode(p, "s3cret", salt, phc, sizeof phc);
    REQUIRE(n > 0);
    bool match = false;
    CHECK(auth::argon2_verify(std::string_view(phc, n), "s3cret", &match));
    CHECK(match);
    CHECK(auth::argon2_verify(std::string_view(phc, n), "s3cre", &match));
    CHECK_FALSE(match);
  }
}

TEST_CASE("constant-time comparisons") {
  CHECK(auth::ct_equal("abcd", "abcd", 4));
  CHECK_FALSE(auth::ct_equal("abcd", "abce", 4));
  CHECK(auth::ct_equal_str("", ""));
  CHECK(auth::ct_equal_str("password", "password"));
  CHECK_FALSE(auth::ct_equal_str("password", "password1"));
}

// ASan reserves terabytes of shadow at start, so no address-space limit
// leaves it room: this runs in the release build (and natively; qemu-user
// does not enforce RLIMIT_AS on its guest, which the child reports).
#if !defined(__SANITIZE_ADDRESS__)
TEST_CASE("an argon2 hash whose memory cannot be mapped: said at start, and never taken for a wrong password") {
  // code-server's parameters (64 MiB); the salt and tag need only be well formed.
  const char* hash = "$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    rlimit r{48u << 20, 48u << 20};
    if (setrlimit(RLIMIT_AS, &r) != 0) _exit(3);
    void* big = mmap(nullptr, 96u << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (big != MAP_FAILED) _exit(2);   // the limit is not enforced here
    auth::Password p;
    std::string err;
    bool refused = !p.init("", hash, &err) && err.find("m=65536 KiB, which this process cannot map") != std::string::npos;
    bool no_memory = auth::argon2_check(hash, "x") == auth::Argon2Check::NoMemory;
    _exit(refused && no_memory ? 0 : 1);
  }
  int st = 0;
  REQUIRE(waitpid(pid, &st, 0) == pid);
  REQUIRE(WIFEXITED(st));
  if (WEXITSTATUS(st) == 2) {
    MESSAGE("RLIMIT_AS is not enforced here (qemu-user): nothing to check");
    return;
  }
  CHECK(WEXITSTATUS(st) == 0);
  auth::Password p;
  std::string err;
  CHECK(p.init("", hash, &err));   // without the limit: accepted, and nothing hashed at start
}
#endif
