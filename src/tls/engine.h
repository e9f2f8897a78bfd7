// SPDX-License-Identifier: MIT
// engine — one TLS server connection: BearSSL's engine, pumped (tools/sslio.c's
// run_ssl_engine, cut to a non-blocking reactor).
//
// TLS 1.2 only (BearSSL 0.6 has no 1.3), ECDHE with AES-GCM or ChaCha20-
// Poly1305 only, the server's preference order, no renegotiation, ALPN
// http/1.1, sessions resumed from a shared LRU cache.  About 37 KiB each
// (the context and a full-duplex buffer), allocated when the first byte of a
// connection says TLS, freed with it: plain connections pay nothing.
#pragma once

#include <bearssl.h>
#include <memory>
#include <string>

#include "reactor/transport.h"
#include "tls/creds.h"

namespace tls {

// What every connection shares: the credentials and the session cache.
class Server {
 public:
  bool init(const std::string& cert_file, const std::string& key_file, std::string* err);
  // SIGHUP: reads the files again.  On success, new handshakes use them and
  // live connections go on untouched; on failure nothing changes.  The
  // previous credentials stay alive until the next reload, since engines
  // point at them until their handshake is done (no renegotiation).
  bool reload(const std::string& cert_file, const std::string& key_file, std::string* err);
  // A new engine for one connection, or nullptr when out of memory.
  reactor::Transport* open();

 private:
  friend class Engine;
  std::unique_ptr<Creds> creds_, previous_;
  br_ssl_session_cache_lru cache_;
  unsigned char cache_store_[64 * 1024];   // about 600 sessions
};

}  // namespace tls
