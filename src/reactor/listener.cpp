// SPDX-License-Identifier: MIT
#include "reactor/listener.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "base/log.h"
#include "reactor/loop.h"

namespace reactor {
namespace {

constexpr int kBacklog = 1024;
constexpr int kAcceptsPerEvent = 64;     // then let other events run
constexpr int64_t kBackoffMs = 100;      // pause after EMFILE/ENFILE

bool fail(char* err, size_t errlen, const char* what, const char* arg) {
  snprintf(err, errlen, "%s %s: %s", what, arg, strerror(errno));
  return false;
}

}  // namespace

size_t format_sockaddr(const sockaddr* sa, socklen_t len, char* out, size_t cap) {
  char host[INET6_ADDRSTRLEN] = "?";
  int n = 0;
  if (sa->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
    n = snprintf(out, cap, "%s:%u", host, ntohs(in->sin_port));
  } else if (sa->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
    n = snprintf(out, cap, "[%s]:%u", host, ntohs(in6->sin6_port));
  } else if (sa->sa_family == AF_UNIX) {
    auto* un = reinterpret_cast<const sockaddr_un*>(sa);
    size_t plen = len > offsetof(sockaddr_un, sun_path) ? len - offsetof(sockaddr_un, sun_path) : 0;
    plen = strnlen(un->sun_path, plen);
    n = snprintf(out, cap, "unix:%.*s", static_cast<int>(plen), plen ? un->sun_path : "");
  } else {
    n = snprintf(out, cap, "family-%d", sa->sa_family);
  }
  return n < 0 ? 0 : (static_cast<size_t>(n) < cap ? static_cast<size_t>(n) : cap - 1);
}

bool Listener::open_tcp(const sockaddr* addr, socklen_t len, char* err, size_t errlen) {
  char name[128];
  format_sockaddr(addr, len, name, sizeof name);
  fd_ = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(err, errlen, "socket for", name);
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // An IPv6 address means exactly that address, as code-server does.
  if (addr->sa_family == AF_INET6) setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (bind(fd_, addr, len) != 0) return fail(err, errlen, "bind", name);
  if (listen(fd_, kBacklog) != 0) return fail(err, errlen, "listen", name);
  return finish_open(err, errlen);
}

bool Listener::open_unix(const char* path, int mode, char* err, size_t errlen) {
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  if (strlen(path) >= sizeof un.sun_path) {
    snprintf(err, errlen, "socket path %.200s: longer than %zu bytes", path, sizeof un.sun_path - 1);
    return false;
  }
  strcpy(un.sun_path, path);
  struct stat st;
  if (lstat(path, &st) == 0) {
    // Replace a stale socket, never a file someone else cares about.
    if (!S_ISSOCK(st.st_mode)) {
      snprintf(err, errlen, "socket path %s: exists and is not a socket", path);
      return false;
    }
    if (unlink(path) != 0) return fail(err, errlen, "unlink", path);
  }
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(err, errlen, "socket for", path);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0) return fail(err, errlen, "bind", path);
  unlink_on_close_ = true;
  if (mode >= 0 && chmod(path, static_cast<mode_t>(mode)) != 0) return fail(err, errlen, "chmod", path);
  if (listen(fd_, kBacklog) != 0) return fail(err, errlen, "listen", path);
  return finish_open(err, errlen);
}

bool Listener::adopt(int fd, char* err, size_t errlen) {
  char name[32];
  snprintf(name, sizeof name, "%d", fd);
  int acc = 0;
  socklen_t alen = sizeof acc;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &alen) != 0) return fail(err, errlen, "socket fd", name);
  if (!acc) {
    snprintf(err, errlen, "socket fd %d: not a listening socket", fd);
    return false;
  }
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0 || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
    return fail(err, errlen, "fcntl on socket fd", name);
  }
  fd_ = fd;
  return finish_open(err, errlen);
}

bool Listener::finish_open(char* err, size_t errlen) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return fail(err, errlen, "getsockname", "");
  addr_len_ = format_sockaddr(reinterpret_cast<sockaddr*>(&ss), len, addr_, sizeof addr_);
  return true;
}

bool Listener::start(Loop* loop, AcceptHandler* handler) {
  loop_ = loop;
  handler_ = handler;
  backoff_.fire = resume;
  backoff_.arg = this;
  return loop_->add(fd_, this, EPOLLIN);
}

void Listener::close() {
  if (fd_ < 0) return;
  if (loop_ != nullptr) {
    loop_->remove(fd_);
    loop_->disarm(&backoff_);
  }
  ::close(fd_);
  fd_ = -1;
  if (unlink_on_close_ && strncmp(addr_, "unix:", 5) == 0) unlink(addr_ + 5);
  unlink_on_close_ = false;
}

void Listener::resume(void* self) {
  auto* l = static_cast<Listener*>(self);
  if (l->fd_ >= 0) l->loop_->modify(l->fd_, l, EPOLLIN);
}

void Listener::on_event(uint32_t) {
  for (int i = 0; i < kAcceptsPerEvent && fd_ >= 0; i++) {
    sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        if (backoff_log_.allow(loop_->clock().now_ms())) {
          base::logf(base::Level::Warn, "accept on %s: %s: pausing for %lld ms", addr_, strerror(errno),
                     static_cast<long long>(kBackoffMs));
        }
        loop_->modify(fd_, this, 0);
        loop_->arm(&backoff_, loop_->clock().now_ms() + kBackoffMs);
        return;
      }
      base::logf(base::Level::Error, "accept on %s: %s", addr_, strerror(errno));
      return;
    }
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6) {
      int one = 1;
      // Responses leave in one write; Nagle would only delay the last segment.
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    char peer[64];
    size_t n = format_sockaddr(reinterpret_cast<sockaddr*>(&ss), len, peer, sizeof peer);
    handler_->on_accept(fd, std::string_view(peer, n));
  }
}

}  // namespace reactor
