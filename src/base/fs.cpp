// SPDX-License-Identifier: MIT
#include "base/fs.h"

#include <cerrno>
#include <cstring>
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

bool read_small(const std::string& path, size_t max, std::string* text, Links links) {
  text->clear();
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (links == Links::Follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return false;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return errno = EINVAL, false;
  }
  // All of it in one allocation (and room for a byte more): what it holds
  // may be a key, which is not to be left behind in a buffer grown past.
  text->reserve(static_cast<size_t>(st.st_size) < max ? static_cast<size_t>(st.st_size) + 1 : max + 1);
  char buf[4096];
  ssize_t n = 0;
  while (text->size() <= max && (n = read(fd, buf, sizeof buf)) > 0) text->append(buf, static_cast<size_t>(n));
  int saved = errno;
  explicit_bzero(buf, sizeof buf);
  close(fd);
  if (n < 0) return errno = saved, text->clear(), false;
  if (text->size() > max) return errno = EFBIG, text->clear(), false;
  return true;
}

const char* read_error() { return errno == EINVAL ? "not a regular file" : strerror(errno); }

bool write_secret(const std::string& path, const void* data, size_t n) {
  // A file of that name left by a crash, or put there by someone else, is
  // not written into: it may have another mode or owner.  Made anew, and
  // its mode set whatever the umask.
  std::string tmp = path + ".tmp";
  if (unlink(tmp.c_str()) != 0 && errno != ENOENT) return false;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return false;
  bool ok = fchmod(fd, 0600) == 0 && (n == 0 || write(fd, data, n) == static_cast<ssize_t>(n)) && fsync(fd) == 0;
  close(fd);
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace base
