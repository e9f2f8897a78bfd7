// SPDX-License-Identifier: MIT
// request — a read-only view of one parsed request head.
//
// Every view points into the connection's input buffer and is valid until the
// handler returns: the HTTP handler drops the head from the buffer right after.
#pragma once

#include <cstdint>
#include <string_view>

#include "http/parser.h"

namespace http {

struct Request {
  const char* base = nullptr;        // the input buffer the spans index
  const Head* head = nullptr;
  const Header* table = nullptr;
  std::string_view method;           // "GET"
  std::string_view target;           // as sent: "/a%20b?x=1" or "http://host/a%20b?x=1"
  std::string_view origin;           // origin-form of it: "/a%20b?x=1" ("/" for "http://host")
  std::string_view path;             // still percent-encoded: "/a%20b"
  std::string_view query;            // after '?', without it
  std::string_view peer;             // client address, for logs
  std::string_view body;             // set only for routes that read bodies (Router::body_limit)
  bool head_only = false;            // HEAD: headers, no body
  bool tls = false;                  // it came over TLS

  // The first field named `name` (case-insensitive), OWS-trimmed; empty if none.
  std::string_view header(std::string_view name) const;
  // Like header(), but tells a missing field from an empty one.
  bool find(std::string_view name, std::string_view* value) const;
  // A list field given on several lines, combined as one (RFC 9110 §5.3):
  // the values joined with ", " into out[0, cap).  False when absent, or
  // when the lines do not fit (then nothing of it may be trusted).
  bool find_list(std::string_view name, char* out, size_t cap, std::string_view* value) const;
  // How many lines carry `name`.
  size_t count(std::string_view name) const;
  std::string_view host() const { return header("host"); }
  // Path and query as origin-form ("/a?x=1"), even when the client sent
  // absolute-form ("http://host/a?x=1").  "*" stays "*".
  std::string_view origin_form() const { return origin; }
  // code-server's rule: HTML when Accept *contains* text/html (browsers send
  // */* too, so a real content negotiation would pick JSON for them).
  bool wants_html() const;
};

// Fills `req` from a parsed head.  Accepts origin-form, "*" for OPTIONS, and
// absolute-form whose authority equals Host (RFC 9112 §3.2.2: the server MUST
// accept it; requiring the match keeps Host the one authority portico routes
// on).  Returns the status to answer with when the target is unusable, else 0.
int make_request(const char* base, const Head* head, const Header* table, std::string_view peer,
                 Request* req);

// code-server's relativeRoot: "." for "/" and "/x", "./.." for "/x/", and so
// on, so a page can link home without knowing the base path it is served under.
std::string_view relative_root(std::string_view path, char* buf, size_t cap);

}  // namespace http
