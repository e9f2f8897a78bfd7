// SPDX-License-Identifier: MIT
// https — with TLS on, a plain HTTP request on the port is sent to https://
// with the same Host and target (code-server's redirect).  With a bare
// --cert the redirect's page also links to the CA page (routes/ca), for the
// browser that warns about the certificate.
#pragma once

#include "routes/ca.h"
#include "routes/chain.h"

namespace routes {

struct Https {
  const bool* on = nullptr;     // portico serves TLS
  const CaPage* ca = nullptr;
};

Outcome https_redirect(const Https& h, Exchange& ex);

}  // namespace routes
