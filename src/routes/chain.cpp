// SPDX-License-Identifier: MIT
#include "routes/chain.h"

namespace routes {

size_t Chain::body_limit(const http::Request& req) const {
  for (size_t i = 0; i < n_; i++) {
    if (size_t n = mw_[i]->body_limit(req)) return n;
  }
  return 0;
}

Outcome Chain::run(Exchange& ex) const {
  for (size_t i = 0; i < n_; i++) {
    switch (mw_[i]->run(ex)) {
      case Outcome::Next:
        continue;
      case Outcome::Done:
        return Outcome::Done;
      case Outcome::Forward:
        return Outcome::Forward;
      case Outcome::Fail:
        http::render_error(&ex.req, ex.resp, *site_, ex.status, ex.message, ex.allow);
        return Outcome::Done;
    }
  }
  http::render_error(&ex.req, ex.resp, *site_, 404, "Not Found");
  return Outcome::Done;
}

Outcome fail(Exchange& ex, int status, std::string_view message) {
  ex.status = status;
  ex.message = message;
  return Outcome::Fail;
}

Outcome redirect(Exchange& ex, std::string_view location, std::string_view cookie) {
  ex.resp.begin(302);
  ex.resp.header("Location", location);
  if (!cookie.empty()) ex.resp.header("Set-Cookie", cookie);
  ex.resp.header("Cache-Control", "no-store");
  ex.resp.send("", "");
  return Outcome::Done;
}

bool at_root_or_vscode(std::string_view path, std::string_view name) {
  return path == name || (path.substr(0, 7) == "/vscode" && path.substr(7) == name);
}

bool method_is_get(Exchange& ex) {
  if (ex.req.method == "GET" || ex.req.method == "HEAD") return true;
  ex.allow = "GET, HEAD";
  return false;
}

}  // namespace routes
