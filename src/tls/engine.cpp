// SPDX-License-Identifier: MIT
#include "tls/engine.h"

#include <cerrno>
#include <cstring>
#include <new>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tls {

// The record buffer, a mapping of its own: page-aligned, so that all of it
// can be handed back (trim), and given back to the kernel with the
// connection instead of staying in the heap.
constexpr size_t kPage = 4096;
constexpr size_t kBufMap = (BR_SSL_BUFSIZE_BIDI + kPage - 1) / kPage * kPage;

class Engine final : public reactor::Transport {
 public:
  Engine(Server& s, unsigned char* buf);
  ssize_t recv(int fd, char* buf, size_t n) override;
  ssize_t send(int fd, const char* p, size_t n) override;
  int drain(int fd) override;
  void close_notify(int fd) override;
  uint32_t interest() const override;
  void release() override { delete this; }

 private:
  ~Engine() { munmap(buf_, kBufMap); }
  void trim();
  Server& server_;
  const CredsRef creds_;       // what sc_ points into, for as long as sc_ lives
  bool established_ = false;   // the handshake is done: no more rationing
  bool trimmed_ = false;
  br_ssl_server_context sc_;
  unsigned char* const buf_;   // kBufMap bytes, mapped for this engine alone
};

namespace {

constexpr uint16_t kSuites[] = {
    BR_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, BR_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,       BR_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    BR_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,       BR_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
};
const char* kAlpn[] = {"http/1.1"};

}  // namespace

bool Server::init(const reactor::Loop* loop, const std::string& cert_file, const std::string& key_file,
                  std::string* err) {
  loop_ = loop;
  constexpr bool wide = sizeof(void*) >= 8;
  impl_.aes_ctr = br_aes_x86ni_ctr_get_vtable();
  if (impl_.aes_ctr == nullptr) impl_.aes_ctr = wide ? &br_aes_ct64_ctr_vtable : &br_aes_ct_ctr_vtable;
  impl_.ghash = br_ghash_pclmul_get();
  if (impl_.ghash == nullptr) impl_.ghash = wide ? &br_ghash_ctmul64 : &br_ghash_ctmul;
  impl_.chacha20 = br_chacha20_sse2_get();
  if (impl_.chacha20 == nullptr) impl_.chacha20 = &br_chacha20_ct_run;
  impl_.poly1305 = br_poly1305_ctmulq_get();
  if (impl_.poly1305 == nullptr) impl_.poly1305 = &br_poly1305_ctmul_run;
  impl_.rsa = br_rsa_private_get_default();
  impl_.rsa_sign = br_rsa_pkcs1_sign_get_default();
  br_ssl_session_cache_lru_init(&cache_, cache_store_, sizeof cache_store_);
  return reload(cert_file, key_file, err);
}

bool Server::reload(const std::string& cert_file, const std::string& key_file, std::string* err) {
  CredsRef fresh = Creds::load(cert_file, key_file, err);
  if (!fresh) return false;
  creds_ = std::move(fresh);  // the old set goes with the last engine that uses it
  return true;
}

reactor::Transport* Server::open() {
  void* buf = mmap(nullptr, kBufMap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (buf == MAP_FAILED) return nullptr;
  madvise(buf, kBufMap, MADV_DONTFORK);  // the keeper, forked without exec, gets no copy of what it holds
  Engine* e = new (std::nothrow) Engine(*this, static_cast<unsigned char*>(buf));
  if (e == nullptr) munmap(buf, kBufMap);
  return e;
}

bool Server::may_handshake() {
  if (loop_->turn() != turn_) {
    turn_ = loop_->turn();
    handshake_records_ = 0;
  }
  return handshake_records_ < kHandshakeRecordsPerTurn;
}

Engine::Engine(Server& s, unsigned char* buf) : server_(s), creds_(s.creds_), buf_(buf) {
  const Creds& c = *creds_;
  const Server::Impl& im = s.impl_;
  br_ssl_server_zero(&sc_);
  br_ssl_engine_context* e = &sc_.eng;
  br_ssl_engine_set_versions(e, BR_TLS12, BR_TLS12);
  br_ssl_engine_set_suites(e, kSuites, sizeof kSuites / sizeof kSuites[0]);
  // The suites' PRF hashes, which also sign ServerKeyExchange.  The engine
  // runs every hash it is given over the whole handshake: no more than these.
  br_ssl_engine_set_hash(e, br_sha256_ID, &br_sha256_vtable);
  br_ssl_engine_set_hash(e, br_sha384_ID, &br_sha384_vtable);
  br_ssl_engine_set_prf_sha256(e, &br_tls12_sha256_prf);
  br_ssl_engine_set_prf_sha384(e, &br_tls12_sha384_prf);
  br_ssl_engine_set_gcm(e, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
  br_ssl_engine_set_aes_ctr(e, im.aes_ctr);
  br_ssl_engine_set_ghash(e, im.ghash);
  br_ssl_engine_set_chapol(e, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
  br_ssl_engine_set_chacha20(e, im.chacha20);
  br_ssl_engine_set_poly1305(e, im.poly1305);
  br_ssl_engine_set_ec(e, &br_ec_all_m31);  // ECDHE; m31 is twice as fast as m15 here
  if (c.is_rsa()) {
    br_ssl_server_set_single_rsa(&sc_, c.chain(), c.chain_len(), c.rsa(), BR_KEYTYPE_SIGN, im.rsa, im.rsa_sign);
  } else {
    br_ssl_server_set_single_ec(&sc_, c.chain(), c.chain_len(), c.ec(), BR_KEYTYPE_SIGN, BR_KEYTYPE_EC,
                                &br_ec_all_m31, &br_ecdsa_i31_sign_asn1);
  }
  br_ssl_engine_add_flags(e, BR_OPT_ENFORCE_SERVER_PREFERENCES | BR_OPT_NO_RENEGOTIATION);
  br_ssl_engine_set_protocol_names(e, kAlpn, 1);
  br_ssl_engine_set_buffer(e, buf_, BR_SSL_BUFSIZE_BIDI, 1);
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
    established_ = established_ || (st & BR_SSL_SENDAPP);
    if (!established_ && !server_.may_handshake()) {
      errno = EAGAIN;  // over this turn's ration: the next turn reads on
      return -1;
    }
    size_t len;
    unsigned char* p = br_ssl_engine_recvrec_buf(e, &len);
    ssize_t r = ::read(fd, p, len);
    if (r == 0) return 0;  // no close_notify: the HTTP layer sees an EOF, never a complete message
    if (r < 0) {
      if (errno == EAGAIN && !trimmed_) trim();
      return -1;
    }
    if (!established_) server_.handshake_records_++;
    br_ssl_engine_recvrec_ack(e, static_cast<size_t>(r));
  }
  errno = EAGAIN;
  return -1;
}

// Once the handshake is done and the connection waits with nothing in the
// buffer, its pages go back to the kernel (they read as zeros when next
// touched): a connection that then stays idle, as most of a browser's do,
// holds the engine's context alone, about 4 KiB.  Once per connection: a
// busy one would pay two page faults a request.  What makes it safe is
// that BearSSL keeps nothing in the buffer between records: a record is
// read from the start of the input half (ixb bytes of it so far) and an
// outgoing one is given its header when it is sealed (oxc, where the
// application's bytes go next, is still at the start, oxa).
void Engine::trim() {
  const br_ssl_engine_context* e = &sc_.eng;
  unsigned st = br_ssl_engine_current_state(e);
  // SENDAPP: the handshake is over (the drain before this read sent the
  // last of it, so the state is taken afresh).
  if (!(st & BR_SSL_SENDAPP) || (st & (BR_SSL_SENDREC | BR_SSL_RECVAPP | BR_SSL_CLOSED))) return;
  if (e->ixb != 0 || e->oxc != e->oxa) return;
  trimmed_ = madvise(buf_, kBufMap, MADV_DONTNEED) == 0;
  server_.buffers_returned_ += trimmed_;
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

void Engine::close_notify(int fd) {
  br_ssl_engine_close(&sc_.eng);
  drain(fd);
}

uint32_t Engine::interest() const {
  unsigned st = br_ssl_engine_current_state(&sc_.eng);
  return (st & BR_SSL_SENDREC) ? uint32_t{EPOLLOUT} : 0u;
}

}  // namespace tls
