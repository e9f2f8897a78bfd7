// SPDX-License-Identifier: MIT
// origin — who may open a WebSocket here (code-server's ensureOrigin).
//
// Browsers send Origin on every WebSocket; a page on another site must not be
// able to use the user's session cookie to open one (cross-site WebSocket
// hijacking).  Rule, as code-server: no Origin (a non-browser client) is
// allowed; otherwise the Origin's host[:port] must equal the host the request
// was sent to, taken from "Forwarded: host=", else the first
// X-Forwarded-Host, else Host; or match --trusted-origins ("*", an exact
// host[:port], or "*.domain" for the domain and its subdomains).  An Origin
// that is not scheme://host[:port] is refused.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace auth {

using TrustedOrigins = std::vector<std::string>;

// Whether a WebSocket upgrade from this Origin may go through.
bool origin_allowed(const TrustedOrigins& trusted, const http::Request& req);

// The lower-cased host[:port] of an Origin value, default port dropped;
// false when the value is not an origin.  `out` has room for 256 bytes.
bool origin_host(std::string_view origin, char* out, std::string_view* host);
// The host the request was addressed to, lower-cased, or false when none.
bool request_host(const http::Request& req, char* out, std::string_view* host);
// The same without its port: the name alone (an IPv6 literal keeps its brackets).
bool request_hostname(const http::Request& req, char* out, std::string_view* name);

}  // namespace auth
