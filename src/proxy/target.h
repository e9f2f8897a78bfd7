// SPDX-License-Identifier: MIT
// target — where a backend listens ("unix:/path" or "HOST:PORT"), and a
// non-blocking connect to it.
#pragma once

#include <string>
#include <string_view>
#include <sys/socket.h>

namespace proxy {

struct Target {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;   // as given, for logs and error pages

  // Numeric addresses only (no resolver in a static binary).  False with `why`.
  bool parse(std::string_view spec, std::string* why);
  // A new non-blocking, close-on-exec socket connecting to the target: the
  // connect may still be in progress (check SO_ERROR once writable).  -1
  // with errno when it failed at once.
  int connect() const;
};

}  // namespace proxy
