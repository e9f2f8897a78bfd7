// SPDX-License-Identifier: MIT
// https — with TLS on, a plain HTTP request on the port is sent to https://
// with the same Host and target (code-server's redirect).
#pragma once

#include "routes/chain.h"

namespace routes {

// Middleware: `tls_on` is true when portico serves TLS.
Outcome https_redirect(const bool& tls_on, Exchange& ex);

}  // namespace routes
