// SPDX-License-Identifier: MIT
// target — where a backend listens ("unix:/path" or "HOST:PORT"), and a
// non-blocking connect to it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <unordered_map>

#include "reactor/use.h"

namespace proxy {

struct Target {
  sockaddr_storage addr{};
  socklen_t len = 0;
  std::string name;   // as given, for logs
  std::string who = "the VS Code server";   // for error pages
  // Tried when a connection is refused at once: [::1] for 127.0.0.1, since
  // dev servers told "localhost" often listen on ::1 alone.
  std::unique_ptr<Target> fallback;
  // Where exchanges and tunnels to it are counted; nullptr: not counted.
  reactor::Use* use = nullptr;

  // Numeric addresses only (no resolver in a static binary).  False with `why`.
  bool parse(std::string_view spec, std::string* why);
  // A new non-blocking, close-on-exec socket connecting to the target: the
  // connect may still be in progress (check SO_ERROR once writable).  -1
  // with errno when it failed at once, which on loopback is known before
  // connect() returns, so a refusal there goes to the fallback.
  int connect() const;
};

// 127.0.0.1:<port> for the port proxies, made on first use and kept: live
// exchanges and pooled connections point at them, and a port used once is
// used again (a dev server's every request), so steady state allocates
// nothing.
class Ports {
 public:
  const Target* get(uint16_t port);
  // What the exchanges and tunnels to the box's apps count in: the VS Code
  // server's use when portico runs it, since a dev server started in one of
  // its terminals dies with it (--vscode-idle-timeout).
  reactor::Use* use = nullptr;

 private:
  std::unordered_map<uint16_t, std::unique_ptr<Target>> made_;
};

}  // namespace proxy
