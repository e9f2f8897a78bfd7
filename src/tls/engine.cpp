// SPDX-License-Identifier: MIT
#include "tls/engine.h"

#include <cerrno>
#include <cstring>
#include <new>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tls {

class Engine final : public reactor::Transport {
 public:
  explicit Engine(Server& s);
  ssize_t recv(int fd, char* buf, size_t n) override;
  ssize_t send(int fd, const char* p, size_t n) override;
  int drain(int fd) override;
  uint32_t interest() const override;
  void release() override { delete this; }

 private:
  ~Engine() = default;
  br_ssl_server_context sc_;
  unsigned char buf_[BR_SSL_BUFSIZE_BIDI];
};

namespace {

constexpr uint16_t kSuites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,       BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,       BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};
const char* kAlpn[] = {"http/1.1"};

}  // namespace

bool Server::init(const std::string& cert_file, const std::string& key_file, std::string* err) {
  br_ssl_session_cache_lru_init(&cache_, cache_store_, sizeof cache_store_);
  return reload(cert_file, key_file, err);
}

bool Server::reload(const std::string& cert_file, const std::string& key_file, std::string* err) {
  auto fresh = std::make_unique<Creds>();
  if (!fresh->load(cert_file, key_file, err)) return false;
  previous_ = std::move(creds_);
  creds_ = std::move(fresh);
  return true;
}

reactor::Transport* Server::open() { return new (std::nothrow) Engine(*this); }

Engine::Engine(Server& s) {
  const Creds& c = *s.creds_;
  if (c.is_rsa()) br_ssl_server_init_full_rsa(&sc_, c.chain(), c.chain_len(), c.rsa());
  else br_ssl_server_init_full_ec(&sc_, c.chain(), c.chain_len(), BR_KEYTYPE_EC, c.ec());
  br_ssl_engine_context* e = &sc_.eng;
  br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
  br_ssl_engine_set_suites(e, kSuites, sizeof kSuites / sizeof kSuites[0]);
  br_ssl_engine_add_flags(e, BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_NO_RENEGOTIATION);
  br_ssl_engine_set_protocol_names(e, kAlpn, 1);
  br_ssl_engine_set_buffer(e, buf_, sizeof buf_, 1);
  br_ssl_server_set_cache(&sc_, &s.cache_.vtable);
  br_ssl_server_reset(&sc_);
}

// Records out first (a handshake answers before it reads on), then records
// in, until application bytes are there or the socket has nothing.
ssize_t Engine::recv(int fd, char* buf, size_t n) {
  br_ssl_engine_context* e = &sc_.eng;
  for (int guard = 0; guard < 64; guard++) {
    unsigned st = br_ssl_engine_current_state(e);
    if (st & BR_SSL_CLOSED) {
      if (br_ssl_engine_last_error(e) == BR_ERR_OK) return 0;
      errno = EPROTO;
      return -1;
    }
    if (st & BR_SSL_RECVAPP) {
      size_t len;
      unsigned char* p = br_ssl_engine_recvapp_buf(e, &len);
      if (len > n) len = n;
      memcpy(buf, p, len);
      br_ssl_engine_recvapp_ack(e, len);
      return static_cast<ssize_t>(len);
    }
    if ((st & BR_SSL_SENDREC) && drain(fd) < 0) return -1;
    if (!(st & BR_SSL_RECVREC)) {
      errno = EAGAIN;  // waits for its records to leave
      return -1;
    }
    size_t len;
    unsigned char* p = br_ssl_engine_recvrec_buf(e, &len);
    ssize_t r = ::read(fd, p, len);
    if (r == 0) return 0;  // no close_notify: the HTTP layer sees an EOF, never a complete message
    if (r < 0) return -1;
    br_ssl_engine_recvrec_ack(e, static_cast<size_t>(r));
  }
  errno = EAGAIN;
  return -1;
}

ssize_t Engine::send(int, const char* p, size_t n) {
  br_ssl_engine_context* e = &sc_.eng;
  unsigned st = br_ssl_engine_current_state(e);
  if (st & BR_SSL_CLOSED) {
    errno = EPIPE;
    return -1;
  }
  if (!(st & BR_SSL_SENDAPP)) {
    errno = EAGAIN;
    return 0;
  }
  size_t len;
  unsigned char* buf = br_ssl_engine_sendapp_buf(e, &len);
  if (len > n) len = n;
  memcpy(buf, p, len);
  br_ssl_engine_sendapp_ack(e, len);
  br_ssl_engine_flush(e, 0);
  return static_cast<ssize_t>(len);
}

int Engine::drain(int fd) {
  br_ssl_engine_context* e = &sc_.eng;
  br_ssl_engine_flush(e, 0);
  for (int guard = 0; guard < 64; guard++) {
    unsigned st = br_ssl_engine_current_state(e);
    if (!(st & BR_SSL_SENDREC)) return 1;
    size_t len;
    unsigned char* p = br_ssl_engine_sendrec_buf(e, &len);
    ssize_t w = ::send(fd, p, len, MSG_NOSIGNAL);
    if (w < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    br_ssl_engine_sendrec_ack(e, static_cast<size_t>(w));
  }
  return 0;
}

uint32_t Engine::interest() const {
  unsigned st = br_ssl_engine_current_state(&sc_.eng);
  return (st & BR_SSL_SENDREC) ? uint32_t{EPOLLOUT} : 0u;
}

}  // namespace tls
