// SPDX-License-Identifier: MIT
// chain — the middleware vector every ordinary request runs through, in order.
//
// Each middleware answers (Done), passes (Next) or fails with a status and a
// message (Fail).  A request no middleware answers is a 404.  Every failure,
// the 404 included, ends in the one error renderer, so every error a user can
// see comes from one place and looks the same.
//
// Built once at start-up; run() allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/error_page.h"
#include "http/request.h"
#include "http/response.h"

namespace routes {

// Divert: the request leaves the HTTP routes for a backend (the server
// composition forwards it; Exchange::divert says where).
enum class Outcome : unsigned char { Next, Done, Fail, Divert };

// What a check made off the loop found (routes/login's password checks).
enum class Verdict : unsigned char { None, Match, Mismatch };

struct Exchange {
  const http::Request& req;
  http::Response& resp;
  // Set by a middleware returning Fail:
  int status = 0;
  std::string_view message;
  std::string_view allow;   // for 405: the methods that would work
  // Set by a middleware returning Divert:
  int divert = 0;           // which backend (the composition's numbering)
  std::string_view strip;   // path prefix the backend does not see
  std::string_view prefix;  // path prefix the backend sees in front of the path
  uint16_t port = 0;        // the box's port, for kToPort
  // Checks made off the loop: the connection's id, which names the check
  // and under which its result comes back; and, when the held request is
  // run again, the check's outcome.
  uint64_t conn = 0;
  Verdict verdict = Verdict::None;
};

using MiddlewareFn = Outcome (*)(void* ctx, Exchange& ex);
// How much request body the middleware reads before it answers `req`, or 0.
using BodyLimitFn = size_t (*)(void* ctx, const http::Request& req);

struct Middleware {
  const char* name;
  MiddlewareFn fn;
  void* ctx;
  BodyLimitFn body_limit;   // optional
};

class Chain {
 public:
  static constexpr size_t kMax = 16;

  explicit Chain(const http::Site* site) : site_(site) {}
  // Appends a middleware; false when the vector is full (a start-up bug).
  bool use(const char* name, MiddlewareFn fn, void* ctx, BodyLimitFn limit = nullptr);
  // Runs the vector; returns Divert when a middleware diverted the request,
  // else Done (answered, by a middleware or the error renderer).
  Outcome run(Exchange& ex) const;
  // The body the first middleware that reads bodies wants for `req`, or 0.
  size_t body_limit(const http::Request& req) const;
  size_t size() const { return n_; }
  const Middleware& at(size_t i) const { return mw_[i]; }

 private:
  const http::Site* site_;
  Middleware mw_[kMax] = {};
  size_t n_ = 0;
};

// Helpers for the common shapes of an answer.
Outcome fail(Exchange& ex, int status, std::string_view message);
// A 302 to `location` (with `cookie` set, if any), never cached.
Outcome redirect(Exchange& ex, std::string_view location, std::string_view cookie = {});
// GET and HEAD only; anything else is a 405 naming them.
bool method_is_get(Exchange& ex);

}  // namespace routes
