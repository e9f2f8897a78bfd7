// SPDX-License-Identifier: MIT
#include "reactor/conn.h"

#include <cerrno>
#include <cstring>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/log.h"
#include "reactor/loop.h"

namespace reactor {

void Handler::on_unlinked(Conn& c) { c.close("partner closed"); }

void Conn::on_event(uint32_t events) {
  // A Conn closed earlier in this batch is still mapped (freed after the batch)
  // but must not be dispatched: its fd number may already belong to another.
  if (closed_ || handler_ == nullptr) return;
  // HUP and ERR are reported through read(): it returns the EOF or the error.
  if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
    if (handler_->on_readable(*this) != Flow::Keep) return;
  }
  if ((events & EPOLLOUT) && !closed_) {
    (void)handler_->on_writable(*this);
  }
}

void Conn::close(const char* reason) {
  if (closed_) return;
  closed_ = true;
  base::logf(base::Level::Debug, "conn %llu %.*s: closed: %s", static_cast<unsigned long long>(id_),
             static_cast<int>(peer_len_), peer_, reason);
  stop_timer();
  cut_link();
  // close() also drops the fd from the epoll set: portico never dup()s a
  // connection fd, so this is its last reference.
  ::close(fd_);
  fd_ = -1;
  loop_->bury(this);
}

Flow Conn::linger() {
  cut_link();
  if (handler_ != nullptr) handler_->on_release(*this);
  handler_ = &loop_->linger_;
  consume(in_len_);
  if (!shut_write()) {
    close("shutdown failed");
    return Flow::Closed;
  }
  want(EPOLLIN);
  start_timer(Timer::Linger);
  return Flow::Diverted;
}

Io Conn::read(size_t limit, size_t* n) {
  *n = 0;
  if (in_ == nullptr) {
    in_ = loop_->pool().acquire();
    if (in_ == nullptr) {
      errno = ENOBUFS;
      return Io::Error;
    }
  }
  if (limit > loop_->pool().chunk_size()) limit = loop_->pool().chunk_size();
  if (in_len_ >= limit) return Io::Full;
  ssize_t r;
  do {
    r = transport_ != nullptr ? transport_->recv(fd_, in_ + in_len_, limit - in_len_)
                              : ::read(fd_, in_ + in_len_, limit - in_len_);
  } while (r < 0 && errno == EINTR);
  if (transport_ != nullptr) want(interest_);  // a handshake may need to write
  if (r > 0) {
    in_len_ += static_cast<uint32_t>(r);
    *n = static_cast<size_t>(r);
    return Io::Ok;
  }
  if (in_len_ == 0) consume(0);  // give the chunk back while idle
  if (r == 0) return Io::Eof;
  return (errno == EAGAIN || errno == EWOULDBLOCK) ? Io::Again : Io::Error;
}

void Conn::consume(size_t n) {
  if (n > in_len_) n = in_len_;
  size_t rest = in_len_ - n;
  if (rest > 0 && n > 0) memmove(in_, in_ + n, rest);
  in_len_ = static_cast<uint32_t>(rest);
  if (rest == 0 && in_ != nullptr) {
    loop_->pool().release(in_);
    in_ = nullptr;
  }
}

char* Conn::out_space(size_t* cap) {
  if (out_ == nullptr) {
    out_ = loop_->pool().acquire();
    if (out_ == nullptr) {
      *cap = 0;
      return nullptr;
    }
    out_off_ = out_len_ = 0;
  }
  *cap = loop_->pool().chunk_size() - out_len_;
  return out_ + out_len_;
}

// Through a transport: application bytes go in (out chunk, tail, file),
// then its records go out.
Io Conn::flush_transport() {
  char file_buf[16384];
  for (int pass = 0; pass < 1024 && app_pending(); pass++) {
    const char* p;
    size_t n;
    if (out_len_ > out_off_) p = out_ + out_off_, n = out_len_ - out_off_;
    else if (tail_len_ > 0) p = tail_, n = tail_len_;
    else {
      ssize_t r = pread(file_fd_, file_buf, file_left_ < sizeof file_buf ? file_left_ : sizeof file_buf,
                        static_cast<off_t>(file_off_));
      if (r <= 0) return errno = r == 0 ? EIO : errno, Io::Error;
      p = file_buf, n = static_cast<size_t>(r);
    }
    ssize_t w = transport_->send(fd_, p, n);
    if (w < 0 && errno != EAGAIN) return Io::Error;
    if (w <= 0) {
      int d = transport_->drain(fd_);
      if (d < 0) return Io::Error;
      if (d == 0) break;  // records wait for EPOLLOUT
      continue;
    }
    size_t k = static_cast<size_t>(w);
    if (out_len_ > out_off_) out_off_ += static_cast<uint32_t>(k);
    else if (tail_len_ > 0) tail_ += k, tail_len_ -= k;
    else file_off_ += k, file_left_ -= k;
  }
  int d = transport_->drain(fd_);
  if (d < 0) return Io::Error;
  if (app_pending() || d == 0) {
    want(interest_ | EPOLLOUT);
    return Io::Again;
  }
  return Io::Ok;
}

Io Conn::flush() {
  Io r = transport_ != nullptr ? flush_transport() : flush_plain();
  if (r != Io::Ok) return r;
  // All out: the chunk goes back to the pool, and EPOLLOUT is no longer wanted.
  if (out_ != nullptr) {
    loop_->pool().release(out_);
    out_ = nullptr;
  }
  out_off_ = out_len_ = 0;
  tail_ = nullptr;
  drop_file();
  if (interest_ & EPOLLOUT) want(interest_ & ~static_cast<uint32_t>(EPOLLOUT));
  return Io::Ok;
}

// Straight to the socket: writev for the chunk and the tail, sendfile for a file.
Io Conn::flush_plain() {
  // Bounded: each pass either writes something or stops.
  for (int pass = 0; pass < 64 && app_pending(); pass++) {
    if (out_len_ == out_off_ && tail_len_ == 0) {
      off_t off = static_cast<off_t>(file_off_);
      ssize_t w = ::sendfile(fd_, file_fd_, &off, file_left_);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        return Io::Error;
      }
      if (w == 0) {  // the file shrank under us: the length already sent is a lie
        errno = EIO;
        return Io::Error;
      }
      file_off_ += static_cast<size_t>(w);
      file_left_ -= static_cast<size_t>(w);
      continue;
    }
    iovec iov[2];
    int cnt = 0;
    if (out_len_ > out_off_) iov[cnt++] = {out_ + out_off_, out_len_ - out_off_};
    if (tail_len_ > 0) iov[cnt++] = {const_cast<char*>(tail_), tail_len_};
    ssize_t w = ::writev(fd_, iov, cnt);
    if (w < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return Io::Error;
    }
    size_t left = static_cast<size_t>(w);
    size_t head = out_len_ - out_off_;
    size_t from_head = left < head ? left : head;
    out_off_ += static_cast<uint32_t>(from_head);
    left -= from_head;
    tail_ += left;
    tail_len_ -= left;
  }
  if (app_pending()) {
    want(interest_ | EPOLLOUT);
    return Io::Again;
  }
  return Io::Ok;
}

bool Conn::shut_write() {
  if (transport_ != nullptr) transport_->close_notify(fd_);
  return ::shutdown(fd_, SHUT_WR) == 0;
}

Io Conn::send(const char* p, size_t n, size_t* sent) {
  *sent = 0;
  ssize_t w;
  if (transport_ != nullptr) {
    w = transport_->send(fd_, p, n);
    if (w < 0 && errno != EAGAIN) return Io::Error;
    int d = transport_->drain(fd_);
    if (d < 0) return Io::Error;
    *sent = w > 0 ? static_cast<size_t>(w) : 0;
    if (d == 0) want(interest_);  // records wait: EPOLLOUT comes from interest()
    return Io::Ok;
  }
  do {
    w = ::send(fd_, p, n, MSG_NOSIGNAL);
  } while (w < 0 && errno == EINTR);
  if (w >= 0) {
    *sent = static_cast<size_t>(w);
    return Io::Ok;
  }
  return (errno == EAGAIN || errno == EWOULDBLOCK) ? Io::Again : Io::Error;
}

void Conn::want(uint32_t events) {
  if (closed_) return;
  uint32_t effective = events | (transport_ != nullptr ? transport_->interest() : 0);
  interest_ = events;
  if (effective == effective_) return;
  effective_ = effective;
  loop_->modify(fd_, this, effective);
}

void Conn::start_timer(Timer t) {
  timer_ = t;
  loop_->queue(t).push(&idle_, loop_->clock().now_ms());
}

void Conn::link(Conn& other) {
  unlink();
  other.unlink();
  partner_ = &other;
  other.partner_ = this;
}

void Conn::unlink() {
  if (partner_ == nullptr) return;
  partner_->partner_ = nullptr;
  partner_ = nullptr;
}

// This side goes away: the partner hears of it before anything else runs.
void Conn::cut_link() {
  Conn* p = partner_;
  if (p == nullptr) return;
  unlink();
  if (p->closed_ || p->handler_ == nullptr) return;
  p->handler_->on_unlinked(*p);
  if (!p->closed_ && !p->idle_.linked()) p->start_timer(Timer::Io);
}

void Conn::set_peer(std::string_view p) {
  peer_len_ = static_cast<unsigned char>(p.size() < sizeof peer_ ? p.size() : sizeof peer_);
  memcpy(peer_, p.data(), peer_len_);
}

void Conn::set_file(int fd, size_t off, size_t len) {
  drop_file();
  file_fd_ = fd;
  file_off_ = off;
  file_left_ = len;
}

void Conn::drop_file() {
  if (file_fd_ >= 0) ::close(file_fd_);
  file_fd_ = -1;
  file_off_ = file_left_ = 0;
}

void Conn::release_buffers() {
  drop_file();
  if (transport_ != nullptr) transport_->release();
  transport_ = nullptr;
  if (in_ != nullptr) loop_->pool().release(in_);
  if (out_ != nullptr) loop_->pool().release(out_);
  in_ = out_ = nullptr;
  in_len_ = out_off_ = out_len_ = 0;
}

}  // namespace reactor
