// SPDX-License-Identifier: MIT
// head — the heads portico passes between client and backend, re-written in
// canonical form whatever the other side sent (docs/HTTP-RULES.md
// §2, "Re-framing").  The request head:
//
// The client's HTTP version (1.0 or 1.1); one Host (none for an HTTP/1.0
// request without one); the one framing field the parser validated (Content-Length or
// Transfer-Encoding: chunked), re-stated; no hop-by-hop fields (Connection
// and what it names, Keep-Alive, Proxy-*, TE, Trailer, Upgrade unless this
// is an upgrade); no Expect (the HTTP handler answers it); portico's session
// cookie removed from Cookie, other cookies byte for byte;
// X-Forwarded-For/-Proto/-Host set by portico; a client's Forwarded,
// X-Forwarded-*, X-Real-IP never passed on.  The
// response head: HTTP/1.1 and the status, no hop-by-hop fields.
#pragma once

#include <string_view>

#include "base/writer.h"
#include "http/request.h"
#include "reactor/conn.h"

namespace proxy {

struct Forwarding {
  std::string_view session_cookie;  // removed from Cookie before forwarding
  std::string_view strip_prefix;    // removed from the front of the path ("/vscode", "/proxy/3000")
  std::string_view add_prefix;      // then put in front of it (--abs-proxy-base-path)
  // Put back in front of a response's Location that starts with "/" (the
  // stripped "/proxy/3000"); at most kMaxLocationPrefix bytes.
  std::string_view location_prefix;
  static constexpr size_t kMaxLocationPrefix = 15;
};

// True for a field that describes one hop only (RFC 9110 §7.6.1), given the
// message's Connection field.  Framing fields count as hop-by-hop here.
bool hop_by_hop(std::string_view name, std::string_view connection);

// Writes the head for `req` into u's output.  False when it does not fit.
bool write_request_head(reactor::Conn& u, const http::Request& req, const Forwarding& fw);

// Writes the backend's response head (`head`, as llhttp validated it, and
// `status` as llhttp read it) for the client, without its last empty line:
// "HTTP/1.1", the status, then
// every field but the hop-by-hop ones, a Location from the app's root with
// `location_prefix` in front.  The caller adds Connection and the end.
// False for a head that cannot be passed on as HTTP/1.1 says: a field with
// no name or no colon, or obs-fold (a line starting with SP or HTAB).
bool write_response_head(base::Writer& w, int status, std::string_view head, std::string_view location_prefix);

}  // namespace proxy
