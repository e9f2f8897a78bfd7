// SPDX-License-Identifier: MIT
#include "sys/readiness.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>

namespace sys {

bool notify_ready(int fd, std::string_view address) {
  char line[160];
  static constexpr std::string_view kWord = "listening ";
  size_t n = 0;
  if (kWord.size() + address.size() + 1 > sizeof line) address = address.substr(0, sizeof line - kWord.size() - 1);
  memcpy(line, kWord.data(), kWord.size());
  n += kWord.size();
  memcpy(line + n, address.data(), address.size());
  n += address.size();
  line[n++] = '\n';
  ssize_t w;
  do {
    w = write(fd, line, n);
  } while (w < 0 && errno == EINTR);
  int saved = errno;
  close(fd);
  errno = saved;
  return w == static_cast<ssize_t>(n);
}

}  // namespace sys
