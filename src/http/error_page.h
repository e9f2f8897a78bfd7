// SPDX-License-Identifier: MIT
// error_page — the one renderer every failed request ends in (OpenBSD httpd's
// server_abort_http): an HTML page from www/error.html when the client's
// Accept contains text/html, {"error":"…"} as JSON otherwise.
#pragma once

#include <string_view>

#include "http/request.h"
#include "http/response.h"

namespace http {

struct Site {
  std::string_view app_name;        // --app-name, shown in titles
  std::string_view error_template;  // www/error.html: {{CODE}} {{REASON}} {{MESSAGE}} {{APP}} {{BASE}}
};

// Answers `status` with `message` (escaped for its context).  `req` may be a
// partial head (a parse error) or nullptr.  `allow` adds an Allow header (405).
// `retry_s` > 0 adds Retry-After, and Refresh so that a browser tries again.
void render_error(const Request* req, Response& resp, const Site& site, int status,
                  std::string_view message, std::string_view allow = {}, int retry_s = 0);
// The same, for an answer given after the request head is gone (a proxy's
// 502): HTML or not, and the path the page's links are relative to.
void render_error(bool html, std::string_view path, Response& resp, const Site& site, int status,
                  std::string_view message);

}  // namespace http
