// SPDX-License-Identifier: MIT
#include "proxy/target.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/strings.h"

namespace proxy {

bool Target::parse(std::string_view spec, std::string* why) {
  name = std::string(spec);
  memset(&addr, 0, sizeof addr);
  if (spec.substr(0, 5) == "unix:") {
    auto* un = reinterpret_cast<sockaddr_un*>(&addr);
    std::string_view path = spec.substr(5);
    if (path.empty() || path.size() >= sizeof un->sun_path) return *why = "unix socket path empty or too long", false;
    un->sun_family = AF_UNIX;
    path.copy(un->sun_path, path.size());
    len = sizeof *un;
    return true;
  }
  std::string_view host = spec, port;
  if (!spec.empty() && spec.front() == '[') {
    size_t close = spec.find("]:");
    if (close == std::string_view::npos) return *why = "expected [IPv6]:PORT", false;
    host = spec.substr(1, close - 1);
    port = spec.substr(close + 2);
  } else {
    size_t colon = spec.rfind(':');
    if (colon == std::string_view::npos) return *why = "expected unix:PATH or HOST:PORT", false;
    host = spec.substr(0, colon);
    port = spec.substr(colon + 1);
  }
  uint64_t p;
  if (!base::parse_u64(port, 65535, &p) || p == 0) return *why = "expected a port from 1 to 65535", false;
  std::string h(host == "localhost" ? "127.0.0.1" : host);
  auto* in = reinterpret_cast<sockaddr_in*>(&addr);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&addr);
  if (inet_pton(AF_INET, h.c_str(), &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
    in->sin_port = htons(static_cast<uint16_t>(p));
    len = sizeof *in;
  } else if (inet_pton(AF_INET6, h.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(static_cast<uint16_t>(p));
    len = sizeof *in6;
  } else {
    return *why = "'" + h + "' is not a numeric address", false;
  }
  return true;
}

int Target::connect() const {
  int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (addr.ss_family != AF_UNIX) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  int err = 0;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    err = errno;
    // Loopback answers within connect(): look, without waiting.
    pollfd p{fd, POLLOUT, 0};
    socklen_t n = sizeof err;
    if (err == EINPROGRESS && (poll(&p, 1, 0) != 1 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &n) != 0)) err = 0;
  }
  if (err == 0 || err == EINPROGRESS) return fd;
  close(fd);
  if (err == ECONNREFUSED && fallback != nullptr) return fallback->connect();
  errno = err;
  return -1;
}

const Target* Ports::get(uint16_t port) {
  std::unique_ptr<Target>& t = made_[port];
  if (t == nullptr) {
    t = std::make_unique<Target>();
    std::string why;
    t->parse("127.0.0.1:" + std::to_string(port), &why);
    t->use = use;
    t->who = "the app on port " + std::to_string(port);
    t->fallback = std::make_unique<Target>();
    t->fallback->parse("[::1]:" + std::to_string(port), &why);
    t->fallback->use = use;
  }
  return t.get();
}

}  // namespace proxy
