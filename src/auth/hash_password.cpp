// SPDX-License-Identifier: MIT
#include "auth/hash_password.h"

#include <cstdio>
#include <cstring>
#include <string_view>
#include <sys/random.h>
#include <unistd.h>

#include "auth/argon2.h"
#include "base/strings.h"

namespace auth {
namespace {

int usage(const char* why) {
  fprintf(stderr, "portico: fatal: hash-password: %s\n"
                  "usage: portico hash-password [--memory KIB] [--passes N] [--lanes N] < password\n", why);
  return 100;
}

}  // namespace

int hash_password_main(int argc, char** argv) {
  // Defaults for a 256 MB board: 19 MiB, 2 passes, 1 lane (OWASP's argon2id
  // minimum), about a tenth of a second on a small ARM core.
  Argon2Params p;
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i];
    uint32_t* field = a == "--memory" ? &p.m_kib : a == "--passes" ? &p.t : a == "--lanes" ? &p.p : nullptr;
    uint64_t v;
    if (field == nullptr) return usage("unknown option");
    if (i + 1 >= argc || !base::parse_u64(argv[++i], 0xFFFFFFFFu, &v)) return usage("expected a number after an option");
    *field = static_cast<uint32_t>(v);
  }
  if (!argon2_params_ok(p)) return usage("memory must be 8*lanes to 1048576 KiB, passes and lanes 1 to 64");
  char pw[1025];
  size_t n = 0;
  ssize_t r;
  while (n < sizeof pw && (r = read(STDIN_FILENO, pw + n, sizeof pw - n)) > 0) n += static_cast<size_t>(r);
  if (n == sizeof pw) return usage("password longer than 1024 bytes");
  if (n > 0 && pw[n - 1] == '\n') n--;
  if (n > 0 && pw[n - 1] == '\r') n--;
  if (n == 0) return usage("empty password on standard input");
  uint8_t salt[16];
  char out[256];
  size_t len = 0;
  if (getrandom(salt, sizeof salt, 0) == static_cast<ssize_t>(sizeof salt)) {
    len = argon2_encode(p, std::string_view(pw, n), salt, out, sizeof out);
  }
  memset(pw, 0, sizeof pw);
  if (len == 0) {
    fprintf(stderr, "portico: fatal: hash-password: hashing failed (out of memory?)\n");
    return 111;
  }
  printf("%.*s\n", static_cast<int>(len), out);
  return 0;
}

}  // namespace auth
