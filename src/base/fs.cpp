// SPDX-License-Identifier: MIT
#include "base/fs.h"

#include <cerrno>
#include <sys/stat.h>

namespace base {

bool make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); i++) {
    if (i < path.size() && path[i] != '/') continue;
    if (mkdir(path.substr(0, i).c_str(), 0700) != 0 && errno != EEXIST) return false;
  }
  return true;
}

}  // namespace base
