// SPDX-License-Identifier: MIT
// conn — one accepted socket: its fd, its lent buffers, its place in a timeout
// queue, and the protocol handler that currently owns its bytes.
//
// Lifetime (docs/ARCHITECTURE.md, "Connection lifetime"): the Loop
// creates every Conn at accept and frees it only after the epoll batch in which
// close() ran.  close() never frees: it closes the fd, marks the Conn Closed and
// queues it; events still pending for it in the same batch are skipped.  Any
// call that may close or hand the Conn to another protocol returns Flow, and
// the caller stops touching the Conn on anything but Flow::Keep.
//
// A Conn does not parse anything.  Its handler (the first-byte check, HTTP,
// a WebSocket endpoint, a proxy's upstream side, a tunnel) is swapped at
// message boundaries; the handler's state lives in the protocol area the
// Loop reserves next to each Conn (proto()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "reactor/idle_queue.h"
#include "reactor/pollable.h"
#include "reactor/transport.h"

namespace reactor {

class Loop;
class Conn;
class Linger;

enum class [[nodiscard]] Flow : unsigned char { Keep, Closed, Diverted };

// The timeout classes; each is one IdleQueue in the Loop.
enum class Timer : unsigned char {
  Head,       // total deadline for a request head, from its first byte (slowloris)
  KeepAlive,  // idle between requests
  Io,         // no progress reading a body or writing a response
  Linger,     // after shutdown(SHUT_WR), waiting for the peer's FIN
  Pool,       // an idle backend connection kept for reuse
  Tunnel,     // no byte either way on a relayed connection (never under 60 s)
  Count,
};

// Whoever owns a Conn's bytes right now.  Called only while the Conn is open.
class Handler {
 public:
  virtual Flow on_readable(Conn& c) = 0;
  virtual Flow on_writable(Conn& c) = 0;
  virtual void on_timeout(Conn& c, Timer t) = 0;  // expected to close or re-arm
  // The server is shutting down: finish what is in flight, then close.
  virtual void on_drain(Conn& c) = 0;
  // c's partner (see Conn::link) closed or lingers: the link is already cut.
  // Called in the partner's close(), so c may be inside one of its own
  // callbacks further up the stack; close it (the default), or go on alone.
  // A survivor left without a timer gets Timer::Io.
  virtual void on_unlinked(Conn& c);
  // The Conn is being freed: destroy the state kept in c.proto().
  virtual void on_release(Conn& c) = 0;

 protected:
  ~Handler() = default;
};

// Ok: progress.  Again: the kernel has nothing now.  Full: the input chunk is
// at its limit.  Eof: the peer finished sending.  Error: errno says why.
enum class Io : unsigned char { Ok, Again, Full, Eof, Error };

class Conn final : public Pollable {
 public:
  Conn(Loop* loop, int fd, uint64_t id, void* proto) : loop_(loop), fd_(fd), id_(id), proto_(proto) {
    idle_.owner = this;
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  void on_event(uint32_t events) override;

  // Logs `reason` (debug level), closes the fd and schedules the free.  Idempotent.
  void close(const char* reason);
  // Ends the connection gracefully once an answer has left: releases the
  // handler's state, shuts the write side down, then reads and drops input
  // until the peer's FIN or the Linger timeout, and closes.  Closing with
  // unread input would make the kernel send RST, which can destroy the
  // answer still in flight (lwan's graceful_close).  MUST be called with no
  // output pending.  Returns Diverted, or Closed if shutdown(2) failed.
  Flow linger();
  bool closed() const { return closed_; }

  // --- input: one lent chunk holding bytes not yet consumed by the handler.
  // Reads at most up to `limit` bytes of buffered input (limit <= chunk size).
  // Ok: *n > 0 new bytes at in() + in_len() - *n.  Fails with Error when no
  // chunk can be lent.
  Io read(size_t limit, size_t* n);
  char* in() const { return in_; }
  size_t in_len() const { return in_len_; }
  // Drops the first `n` buffered bytes, moving any rest to the front; the
  // chunk goes back to the pool when nothing is left.
  void consume(size_t n);

  // --- output: a lent chunk being filled, then an optional zero-copy tail whose
  // bytes outlive the Conn (embedded assets).  The handler fills out_space().
  char* out_space(size_t* cap);     // nullptr when no chunk can be lent
  void out_commit(size_t n) { out_len_ += static_cast<uint32_t>(n); }
  void set_tail(const char* p, size_t n) { tail_ = p; tail_len_ = n; }
  // Or a file tail: `len` bytes of `fd` from offset `off`, sent with
  // sendfile(2), or read 16 KiB at a time into a TLS engine.  A file that
  // ends early ends the connection (EIO): never a short body under a length.
  // The Conn owns `fd` from here on and closes it when sent or closed.
  void set_file(int fd, size_t off, size_t len);
  // Anything still to go out, records a transport holds included.
  bool out_pending() const { return app_pending() || (transport_ != nullptr && transport_->interest() != 0); }
  size_t out_len() const { return out_len_ - out_off_; }
  // Writes what is pending.  Ok: all written, chunk returned.  Again: the rest
  // waits for EPOLLOUT (armed here).  Error: errno says why; the caller closes.
  Io flush();

  // Shuts the write side down once everything is out (a TLS peer is sent
  // close_notify first).  False with errno when shutdown(2) fails.
  bool shut_write();

  // Writes p[0..n) straight to the socket (no output chunk), for relays that
  // keep their bytes in the other Conn's input.  *sent may be short.
  Io send(const char* p, size_t n, size_t* sent);

  // Sets the epoll interest (EPOLLIN / EPOLLOUT); a no-op when unchanged.
  void want(uint32_t events);
  // (Re)starts the timeout of class `t` from now; stop_timer() leaves all queues.
  void start_timer(Timer t);
  void stop_timer() { IdleQueue::unlink(&idle_); }
  Timer timer() const { return timer_; }
  int64_t deadline() const { return idle_.deadline; }  // of the running timer (loop clock, ms)

  // --- partner: Conns that depend on each other (a client and its upstream,
  // the two sides of a tunnel) are linked both ways.  Closing or lingering
  // either one cuts the link and tells the other (Handler::on_unlinked) at
  // once, so neither ever holds a Conn whose slot may be reused.  unlink()
  // cuts it quietly, for a side that hands over knowingly.
  void link(Conn& other);
  void unlink();
  Conn* partner() const { return partner_; }

  void set_handler(Handler* h) { handler_ = h; }
  Handler* handler() const { return handler_; }
  void* proto() const { return proto_; }
  int fd() const { return fd_; }
  uint64_t id() const { return id_; }
  Loop& loop() const { return *loop_; }

  // TLS (or any transport) from now on; the Conn owns it and releases it.
  void set_transport(Transport* t) { transport_ = t; }
  bool plain() const { return transport_ == nullptr; }

  void set_peer(std::string_view p);
  std::string_view peer() const { return {peer_, peer_len_}; }

 private:
  friend class Loop;
  void release_buffers();
  void cut_link();
  // Application bytes not yet handed to the socket (or the transport).
  bool app_pending() const { return out_len_ > out_off_ || tail_len_ > 0 || file_left_ > 0; }
  void drop_file();
  Io flush_plain();
  Io flush_transport();

  Loop* loop_;
  int fd_;
  uint64_t id_;
  void* proto_;
  Handler* handler_ = nullptr;
  Transport* transport_ = nullptr;
  IdleLink idle_;
  Conn* partner_ = nullptr;
  Conn* next_dead_ = nullptr;
  char* in_ = nullptr;
  char* out_ = nullptr;
  const char* tail_ = nullptr;
  size_t tail_len_ = 0;
  int file_fd_ = -1;
  size_t file_off_ = 0;
  size_t file_left_ = 0;
  uint32_t in_len_ = 0;
  uint32_t out_off_ = 0;
  uint32_t out_len_ = 0;
  uint32_t interest_ = 0;        // what the handler wants
  uint32_t effective_ = 0;       // ...plus what the transport needs: what epoll has
  Timer timer_ = Timer::Count;
  bool closed_ = false;
  unsigned char peer_len_ = 0;
  char peer_[55] = {};
};

}  // namespace reactor
