// SPDX-License-Identifier: MIT
// server_tls — the composition's TLS: which certificate, and which
// connections get an engine.
#include "server.h"

#include <arpa/inet.h>
#include <strings.h>
#include <unistd.h>

#include "base/log.h"
#include "routes/assets.h"
#include "sys/addresses.h"
#include "tls/local_ca.h"

using base::Level;
using base::logf;

namespace {

// "box, box.local, localhost, 192.168.1.5, 127.0.0.1, ::1": for the log and the CA page.
std::string list(const tls::BoxNames& n) {
  std::string s;
  for (const std::string& d : n.dns) s += (s.empty() ? "" : ", ") + d;
  for (const std::string& a : n.ips) {
    char text[INET6_ADDRSTRLEN];
    inet_ntop(a.size() == 4 ? AF_INET : AF_INET6, a.data(), text, sizeof text);
    s += (s.empty() ? "" : ", ") + std::string(text);
  }
  return s;
}

bool only_loopback(const std::vector<std::string>& ips) {
  for (const std::string& a : ips) {
    if (!(a.size() == 4 ? a[0] == 127 : a == std::string(15, '\0') + '\1')) return false;
  }
  return true;
}

}  // namespace

// A bare --cert: this box's CA and a leaf it signed, for --cert-host, the
// machine's names and the addresses this socket answers on (made, kept or
// renewed; at start and on SIGHUP).  False when it cannot be.
bool Server::issue_certificate() {
  char host[256] = "";
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  tls::BoxNames names = tls::box_names(cfg_.cert_host, host, sys::listening_ips(listener_.fd()));
  tls::Issued is;
  std::string why;
  if (!tls::ensure_local_ca(cfg_.data_dir, cfg_.cert_host, names, &is, &why)) {
    logf(Level::Error, "certificate: %s", why.c_str());
    return false;
  }
  tls_cert_ = is.cert_file, tls_key_ = is.key_file;
  if (!is.ca_replaced.empty()) {
    logf(Level::Warn, "not using the CA in %s (%s): kept as %s, and a new one made; browsers must trust it again",
         is.ca_file.c_str(), is.ca_replaced.c_str(), is.ca_kept_as.c_str());
  }
  if (!is.replaced.empty() && !is.kept_as.empty()) {
    logf(Level::Warn, "not using the pair in %s (%s): kept as %s, and a new one made", tls_cert_.c_str(),
         is.replaced.c_str(), is.kept_as.c_str());
  } else if (!is.replaced.empty()) {
    logf(Level::Info, "renewing %s (%s)", tls_cert_.c_str(), is.replaced.c_str());
  }
  if (!is.from_ca) {
    logf(Level::Info, "using the certificate %s for %s, left by code-server or its user", tls_cert_.c_str(),
         cfg_.cert_host.c_str());
    ca_page_ = routes::CaPage{};
    return true;
  }
  char fp[96];
  tls::fingerprint(is.ca_der, fp);
  ca_page_.build(ca_template_, is.ca_der, fp, "portico", cfg_.cert_host, list(names));
  logf(Level::Info, "%s this box's certificate authority %s, SHA-256 fingerprint %s; trust it once from /ca",
       is.made_ca ? "made" : "using", is.ca_file.c_str(), fp);
  // The machine's own one-label name is the common case (a board called
  // raspberrypi), and NAME.local stands for it: said, not warned about.
  // A --cert-host of one label is what the user asked for: warned about.
  for (const std::string& one : names.single) {
    bool asked = strcasecmp(one.c_str(), cfg_.cert_host.c_str()) == 0;
    logf(asked ? Level::Warn : Level::Info, "%s is not in the certificate: a CA that may sign for a name of one label "
         "may sign for every name under it; %s", one.c_str(),
         asked ? "give a full name with --cert-host" : (one + ".local is in it").c_str());
  }
  if (is.made_ca && only_loopback(names.ips) && sys::bound_to_any(listener_.fd())) {
    logf(Level::Warn, "the new CA covers no address but loopback (was the network not up yet?): start portico "
         "once the box has its address, after removing %s and its key", is.ca_file.c_str());
  }
  if (!is.outside.empty()) {
    tls::BoxNames out;
    out.ips = is.outside;
    logf(Level::Warn, "%s does not cover %s: left out of the certificate (remove the CA's two files for a new CA "
         "that does; browsers must then trust it again)", is.ca_file.c_str(), list(out).c_str());
  }
  logf(Level::Info, "%s the certificate %s for %s", is.made_leaf ? "made" : "using", tls_cert_.c_str(),
       list(names).c_str());
  return true;
}

// --cert FILE --cert-key FILE, or a bare --cert (issue_certificate).
int Server::load_tls() {
  if (cfg_.cert.empty() && !cfg_.cert_self_signed) return 0;
  std::string why;
  tls_cert_ = cfg_.cert, tls_key_ = cfg_.cert_key;
  if (cfg_.cert_self_signed) {
    if (!cfg_.cert_key.empty()) {
      logf(Level::Fatal, "--cert-key needs --cert FILE: a bare --cert makes its own key");
      return config::kExitConfig;
    }
    if (const routes::Asset* a = routes::find_asset("ca.html")) ca_template_ = a->data;
    if (!issue_certificate()) return config::kExitSystem;
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

// SIGHUP: the files again; a bare --cert's are first renewed if they need
// to be (new addresses, near their end).
void Server::reload_tls() {
  std::string why;
  if (!tls_on_) logf(Level::Info, "SIGHUP: nothing to reload");
  else if (cfg_.cert_self_signed && !issue_certificate()) logf(Level::Error, "SIGHUP: keeping the certificate in use");
  else if (tls_.reload(tls_cert_, tls_key_, &why)) log_certificate("SIGHUP: reloaded");
  else logf(Level::Error, "SIGHUP: %s; keeping the certificate in use", why.c_str());
}

void Server::log_certificate(const char* what) {
  char fp[96];
  tls_.fingerprint(fp);
  logf(Level::Info, "tls: %s %s, SHA-256 fingerprint %s", what, tls_cert_.c_str(), fp);
}
