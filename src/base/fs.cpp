// SPDX-License-Identifier: MIT
#include "base/fs.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace base {

bool make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++) {
    if (i < path.size() && path[i] != '/') continue;
    if (mkdir(path.substr(0, i).c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

bool write_secret(const std::string& path, const void* data, size_t n) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  bool ok = (n == 0 || write(fd, data, n) == static_cast<ssize_t>(n)) && fsync(fd) == 0;
  close(fd);
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace base
