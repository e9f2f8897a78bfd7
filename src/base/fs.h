// SPDX-License-Identifier: MIT
// fs — the file-system helpers several modules need.
#pragma once

#include <cstddef>
#include <string>

namespace base {

// mkdir -p: every missing directory of `path` is made with mode 0700 (they
// hold secrets and sockets).  False with errno set.
bool make_dirs(const std::string& path);

// Reads all of a small file (config, state) into `text`, not following a
// link in its last component.  False with errno set; EFBIG when it holds
// more than `max` bytes (then `text` is left empty).
bool read_small(const std::string& path, size_t max, std::string* text);

// Replaces `path` with `n` bytes, mode 0600, atomically (a temporary file,
// fsync, rename): a crash leaves the old secret or the new one, never half.
bool write_secret(const std::string& path, const void* data, size_t n);

}  // namespace base
