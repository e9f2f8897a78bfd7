// SPDX-License-Identifier: MIT
// ca — the page that gets this box's certificate authority (tls/local_ca)
// into a browser: GET /ca, the certificate at /ca.crt (DER, as
// application/x-x509-ca-cert) and an Apple configuration profile at
// /ca.mobileconfig.  Ahead of the https redirect, so over plain HTTP too: a
// browser that does not trust the CA yet sees only a warning over https.
// Public, as a CA certificate is; its key never leaves the data directory.
// Only with a bare --cert; otherwise the paths are not there.
#pragma once

#include <string>
#include <string_view>

#include "routes/chain.h"

namespace routes {

struct CaPage {
  std::string tpl;        // www/ca.html with what is fixed filled in; {{HTTPS}} is per request
  std::string der;        // the CA certificate
  std::string profile;    // the .mobileconfig
  std::string file;       // the download's name, without extension

  // From www/ca.html, the CA's DER and SHA-256 fingerprint (as logged), the
  // app's name, --cert-host and the names the CA covers, for people.
  void build(std::string_view page, std::string_view ca_der, std::string_view fingerprint, std::string_view app,
             std::string_view host, std::string_view names);
  bool on() const { return !der.empty(); }
};

Outcome ca_page(const CaPage& p, Exchange& ex);

}  // namespace routes
