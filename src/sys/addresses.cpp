// SPDX-License-Identifier: MIT
#include "sys/addresses.h"

#include <algorithm>
#include <ifaddrs.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

namespace sys {
namespace {

std::string raw_ip(const sockaddr* sa) {
  if (sa->sa_family == AF_INET) {
    const auto* a = &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr;
    return std::string(reinterpret_cast<const char*>(a), 4);
  }
  const auto* a = &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr;
  return std::string(reinterpret_cast<const char*>(a), 16);
}

// The socket's own address, when it is an IP one.
bool own_address(int fd, sockaddr_storage* ss) {
  socklen_t len = sizeof *ss;
  return getsockname(fd, reinterpret_cast<sockaddr*>(ss), &len) == 0 &&
         (ss->ss_family == AF_INET || ss->ss_family == AF_INET6);
}

bool is_any(const sockaddr_storage& ss) {
  std::string own = raw_ip(reinterpret_cast<const sockaddr*>(&ss));
  return own == std::string(own.size(), '\0');
}

}  // namespace

std::vector<std::string> listening_ips(int fd) {
  sockaddr_storage ss;
  std::vector<std::string> out;
  if (!own_address(fd, &ss)) return out;
  int family = ss.ss_family;
  if (!is_any(ss)) return {raw_ip(reinterpret_cast<const sockaddr*>(&ss))};
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr) continue;
    int f = i->ifa_addr->sa_family;
    if (f != AF_INET && !(f == AF_INET6 && family == AF_INET6)) continue;
    if (f == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr)) continue;
    std::string ip = raw_ip(i->ifa_addr);
    if (std::find(out.begin(), out.end(), ip) == out.end()) out.push_back(ip);
  }
  freeifaddrs(list);
  return out;
}

bool bound_to_any(int fd) {
  sockaddr_storage ss;
  return own_address(fd, &ss) && is_any(ss);
}

uint16_t loopback_port(int fd) {
  sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&ss);
    uint32_t a = ntohl(in->sin_addr.s_addr);
    return a == INADDR_ANY || a == INADDR_LOOPBACK ? ntohs(in->sin_port) : 0;
  }
  if (ss.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&ss);
    const in6_addr& a = in6->sin6_addr;
    return IN6_IS_ADDR_UNSPECIFIED(&a) || IN6_IS_ADDR_LOOPBACK(&a) ? ntohs(in6->sin6_port) : 0;
  }
  return 0;
}

}  // namespace sys
