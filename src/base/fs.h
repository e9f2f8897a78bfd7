// SPDX-License-Identifier: MIT
// fs — the one file-system helper several modules need.
#pragma once

#include <string>

namespace base {

// mkdir -p: every missing directory of `path` is made with mode 0700 (they
// hold secrets and sockets).  False with errno set.
bool make_dirs(const std::string& path);

}  // namespace base
