// SPDX-License-Identifier: MIT
// server_tls — the composition's TLS: which certificate, and which
// connections get an engine.
#include "server.h"

#include "base/log.h"
#include "sys/addresses.h"
#include "tls/selfsigned.h"

using base::Level;
using base::logf;

// --cert FILE --cert-key FILE, or a bare --cert: a self-signed certificate
// for --cert-host and the addresses this socket answers on.
int Server::load_tls() {
  if (cfg_.cert.empty() && !cfg_.cert_self_signed) return 0;
  std::string why;
  tls_cert_ = cfg_.cert, tls_key_ = cfg_.cert_key;
  if (cfg_.cert_self_signed) {
    if (!cfg_.cert_key.empty()) {
      logf(Level::Fatal, "--cert-key needs --cert FILE: a bare --cert makes its own key");
      return config::kExitConfig;
    }
    bool made;
    std::string replaced;
    if (!tls::ensure_self_signed(cfg_.data_dir, cfg_.cert_host, sys::listening_ips(listener_.fd()), &tls_cert_,
                                 &tls_key_, &made, &replaced, &why)) {
      logf(Level::Fatal, "self-signed certificate: %s", why.c_str());
      return config::kExitSystem;
    }
    if (!replaced.empty()) {
      logf(Level::Warn, "not using the pair in %s (%s): kept as %s.old, and a new one made", tls_cert_.c_str(),
           replaced.c_str(), tls_cert_.c_str());
    }
    logf(Level::Info, "%s self-signed certificate %s for %s", made ? "made a" : "using the", tls_cert_.c_str(),
         cfg_.cert_host.c_str());
  } else if (cfg_.cert_key.empty()) {
    logf(Level::Fatal, "--cert FILE needs --cert-key FILE");
    return config::kExitConfig;
  }
  if (!tls_.init(&loop_, tls_cert_, tls_key_, &why)) {
    logf(Level::Fatal, "tls: %s", why.c_str());
    return config::kExitConfig;
  }
  tls_on_ = true;
  log_certificate("using");
  return 0;
}

void Server::log_certificate(const char* what) {
  char fp[96];
  tls_.fingerprint(fp);
  logf(Level::Info, "tls: %s %s, SHA-256 fingerprint %s", what, tls_cert_.c_str(), fp);
}
