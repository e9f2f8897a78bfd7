// SPDX-License-Identifier: MIT
// engine — one TLS server connection: BearSSL's engine, pumped (tools/sslio.c's
// run_ssl_engine, cut to a non-blocking reactor).
//
// TLS 1.2 only (BearSSL 0.6 has no 1.3), ECDHE with AES-GCM or ChaCha20-
// Poly1305 only, the server's preference order, no renegotiation, ALPN
// http/1.1, sessions resumed from a shared LRU cache.  About 4 KiB of
// context each and a 36 KiB full-duplex buffer, mapped when the first byte
// of a connection says TLS and unmapped with it (plain connections pay
// nothing); once the handshake is done the buffer's pages are handed back
// until the connection next moves data.
#pragma once

#include <bearssl.h>
#include <string>

#include "reactor/loop.h"
#include "reactor/transport.h"
#include "tls/creds.h"

namespace tls {

// What every connection shares: the credentials, the session cache, and the
// handshake ration.
class Server {
 public:
  bool init(const reactor::Loop* loop, const std::string& cert_file, const std::string& key_file, std::string* err);
  // SIGHUP: reads the files again.  On success, new handshakes use them and
  // live connections go on untouched, each with the set it began with (it
  // holds a reference); on failure, a pair that does not match included,
  // nothing changes.
  bool reload(const std::string& cert_file, const std::string& key_file, std::string* err);
  // The certificate in use (see Creds::fingerprint).
  void fingerprint(char (&out)[96]) const { creds_->fingerprint(out); }
  // A new engine for one connection, or nullptr when out of memory.
  reactor::Transport* open();
  // How many engines have handed their record buffer back (for tests).
  uint64_t buffers_returned() const { return buffers_returned_; }

 private:
  friend class Engine;
  // A full handshake costs about a millisecond of this one thread (ECDHE and
  // a signature), so a flood of them would delay every other connection by
  // as many milliseconds as there are handshakes ready.  Handshake records
  // are rationed per loop turn instead: a handshake over the ration waits,
  // its bytes still in the kernel, for the next turn (epoll is level-
  // triggered), and the other connections wait at most about
  // kHandshakeRecordsPerTurn milliseconds.  Nothing is reserved, so a stalled
  // handshake holds no slot that others need.
  static constexpr unsigned kHandshakeRecordsPerTurn = 4;
  bool may_handshake();
  // The fastest implementation this CPU has, probed once: BearSSL's "full"
  // initialisers probe with cpuid for every connection (about 40 us in a
  // VM) and link every suite; only the ones portico offers are set up.
  struct Impl {
    const br_block_ctr_class* aes_ctr;
    br_ghash ghash;
    br_chacha20_run chacha20;
    br_poly1305_run poly1305;
    br_rsa_private rsa;
    br_rsa_pkcs1_sign rsa_sign;
  } impl_{};
  const reactor::Loop* loop_ = nullptr;
  uint64_t turn_ = 0;
  unsigned handshake_records_ = 0;
  uint64_t buffers_returned_ = 0;
  CredsRef creds_;   // the current set; each engine holds its own reference
  br_ssl_session_cache_lru cache_;
  unsigned char cache_store_[64 * 1024];   // about 600 sessions
};

}  // namespace tls
