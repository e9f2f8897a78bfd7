// SPDX-License-Identifier: MIT
#include "first_byte.h"

#include <cerrno>
#include <sys/epoll.h>
#include <sys/socket.h>

void FirstByte::adopt(reactor::Conn& c) {
  c.set_handler(this);
  c.want(EPOLLIN);
  c.start_timer(reactor::Timer::Head);
}

reactor::Flow FirstByte::on_readable(reactor::Conn& c) {
  unsigned char first;
  ssize_t r = recv(c.fd(), &first, 1, MSG_PEEK);
  if (r < 0 && (errno == EAGAIN || errno == EINTR)) return reactor::Flow::Keep;
  if (r == 1 && first == 0x16) {
    if (reactor::Transport* t = tls_.open()) c.set_transport(t);
  }
  http_.take_over(c);  // the head deadline set at accept still runs
  return http_.on_readable(c);
}
