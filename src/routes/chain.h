// SPDX-License-Identifier: MIT
// chain — the middleware vector every ordinary request runs through, in order.
//
// Each middleware answers (Done), passes (Next), fails with a status and a
// message (Fail), or hands the request on to a backend (Forward, with where
// and how in Exchange::forward).  A request no middleware takes is a 404.
// Every failure, the 404 included, ends in the one error renderer, so every
// error a user can see comes from one place and looks the same.
//
// A middleware is a function of one typed context (use<fn>(name, ctx)),
// bound once at start-up; run() allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string_view>
#include <type_traits>

#include "http/error_page.h"
#include "http/request.h"
#include "http/response.h"
#include "proxy/head.h"
#include "proxy/target.h"

namespace routes {

struct VsCode;

enum class Outcome : unsigned char { Next, Done, Fail, Forward };

// What a check made off the loop found (routes/login's password checks).
enum class Verdict : unsigned char { None, Match, Mismatch, Failed };

// Where a request handed to a backend goes, and how its head is re-written.
// The same decision serves an ordinary request (the proxy) and an upgrade
// (the tunnel).
struct Forward {
  // A fixed backend (the VS Code server), or nullptr for one of the box's
  // apps, whose target portico makes on first use of `port` (proxy::Ports),
  // only once the request has passed every check.
  const proxy::Target* target = nullptr;
  uint16_t port = 0;
  proxy::Forwarding rules;
  // The VS Code server when portico runs it: while it starts, the request
  // gets a 503 that tries again (and asks it to start).
  const VsCode* vscode = nullptr;
};

struct Exchange {
  Exchange(const http::Request& rq, http::Response& rs, uint64_t id, Verdict v)
      : req(rq), resp(rs), conn(id), verdict(v) {}

  const http::Request& req;
  http::Response& resp;
  // Checks made off the loop: the connection's id, which names the check and
  // under which its result comes back; and, when the held request is run
  // again, the check's outcome.
  uint64_t conn;
  Verdict verdict;
  // Set by a middleware returning Fail:
  int status = 0;
  std::string_view message;
  std::string_view allow;   // for 405: the methods that would work
  // Set by a middleware returning Forward:
  Forward forward;
};

class Middleware {
 public:
  explicit Middleware(const char* name) : name_(name) {}
  virtual ~Middleware() = default;
  virtual Outcome run(Exchange& ex) const = 0;
  // How much request body this middleware reads before it answers `req`, or 0.
  virtual size_t body_limit(const http::Request& req) const = 0;
  const char* name() const { return name_; }

 private:
  const char* name_;
};

// A middleware function `Fn(ctx, ex)` bound to its context; `Limit(ctx, req)`
// (or nullptr) says how much body it reads.
template <auto Fn, auto Limit, class Ctx>
class Bound final : public Middleware {
 public:
  Bound(const char* name, Ctx& ctx) : Middleware(name), ctx_(ctx) {}
  Outcome run(Exchange& ex) const override { return Fn(ctx_, ex); }
  size_t body_limit(const http::Request& req) const override {
    if constexpr (std::is_same_v<decltype(Limit), std::nullptr_t>) {
      (void)req;
      return 0;
    } else {
      return Limit(ctx_, req);
    }
  }

 private:
  Ctx& ctx_;
};

class Chain {
 public:
  static constexpr size_t kMax = 16;

  explicit Chain(const http::Site* site) : site_(site) {}
  // Appends `Fn` bound to `ctx`; false when the vector is full or memory is
  // short (a start-up failure).
  template <auto Fn, auto Limit = nullptr, class Ctx>
  bool use(const char* name, Ctx& ctx) {
    if (n_ == kMax) return false;
    mw_[n_].reset(new (std::nothrow) Bound<Fn, Limit, Ctx>(name, ctx));
    return mw_[n_++] != nullptr;
  }
  // Runs the vector; returns Forward when a middleware handed the request on
  // (ex.forward says where), else Done (answered, by a middleware or the
  // error renderer).
  Outcome run(Exchange& ex) const;
  // The body the first middleware that reads bodies wants for `req`, or 0.
  size_t body_limit(const http::Request& req) const;
  size_t size() const { return n_; }
  const Middleware& at(size_t i) const { return *mw_[i]; }

 private:
  const http::Site* site_;
  std::unique_ptr<Middleware> mw_[kMax];
  size_t n_ = 0;
};

// Helpers for the common shapes of an answer.
Outcome fail(Exchange& ex, int status, std::string_view message);
// A 302 to `location` (with `cookie` set, if any), never cached.
Outcome redirect(Exchange& ex, std::string_view location, std::string_view cookie = {});
// GET and HEAD only; anything else is a 405 naming them.
bool method_is_get(Exchange& ex);
// `path` is `name` at the root or under /vscode: code-server mounts its VS
// Code routes at both.
bool at_root_or_vscode(std::string_view path, std::string_view name);

}  // namespace routes
