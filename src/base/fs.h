// SPDX-License-Identifier: MIT
// fs — the file-system helpers several modules need.
#pragma once

#include <cstddef>
#include <string>

namespace base {

// mkdir -p: every missing directory of `path` is made with mode 0700 (they
// hold secrets and sockets).  False with errno set.
bool make_dirs(const std::string& path);

// Reads all of a small regular file (config, state, a certificate) into
// `text`; a link in its last component is followed only with Links::Follow
// (for a path the user named).  Never waits: a FIFO or a device is refused.
// False with errno set: EFBIG when it holds more than `max` bytes, EINVAL
// when it is not a regular file (see read_error); `text` is then empty.
enum class Links : unsigned char { Refuse, Follow };
bool read_small(const std::string& path, size_t max, std::string* text, Links links = Links::Refuse);
// strerror(errno) after read_small, with EINVAL said as "not a regular file".
const char* read_error();

// Replaces `path` with `n` bytes, mode 0600, atomically (a temporary file,
// fsync, rename): a crash leaves the old secret or the new one, never half.
bool write_secret(const std::string& path, const void* data, size_t n);

}  // namespace base
