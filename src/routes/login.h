// SPDX-License-Identifier: MIT
// login — /login, /logout and the guard in front of everything private.
//
// The flow is code-server's (login page, POST with password/base/href,
// cookie, relative redirect to ?to=), with its weaknesses fixed: the cookie
// is a signed, revocable session token; logout revokes it server-side; wrong
// tries are limited per client, not for everyone, and a refused try never
// runs the password hash; statuses say what happened (401, 400, 429, 503).
//
// An Argon2 hash is checked on the worker thread (auth::CheckQueue): the
// route queues a copy of the password and holds its answer; the server
// runs it again with the verdict (Exchange::verdict) once the worker is
// done.  One check per client at a time (429 otherwise), and 503 with
// Retry-After when the queue is full.  Plain and SHA-256 passwords cost
// microseconds and are checked at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "auth/check_queue.h"
#include "auth/limiter.h"
#include "auth/password.h"
#include "auth/sessions.h"
#include "base/clock.h"
#include "routes/chain.h"
#include "routes/login_text.h"

namespace routes {

struct Login final : http::Waiter {
  bool enabled = true;                     // false: --auth none
  std::string cookie;                      // "code-server-session[-suffix]"
  std::string_view app_name;
  LoginText text;                          // the page's words, settled at start
  LoginText::Key hint = LoginText::FromFile;  // where the password is
  std::string_view page;                   // www/login.html
  const std::vector<std::string>* trusted_proxies = nullptr;
  const auth::Password* password = nullptr;
  auth::Sessions* sessions = nullptr;
  auth::Limiter* limiter = nullptr;
  const base::Clock* clock = nullptr;
  // --proxy-domain templates: a login on such a domain (or on one of its
  // ports) gets a cookie for the whole domain, so the apps' hosts share it.
  const std::vector<std::string>* proxy_domains = nullptr;
  // Where Argon2 checks go; nullptr checks them in place (unit tests).
  auth::CheckQueue* checks = nullptr;

  // The page, filled with the longest words it may be given and each byte
  // escaped at its worst, fits the buffer it is written into: checked once
  // at start, so a long --welcome-text or --i18n value is an error there,
  // not a page that says "too large".
  bool page_fits(size_t* need, size_t* room) const;
  // True when the request carries a valid session (or auth is off).
  bool authenticated(const http::Request& req) const;
  // The client a login try counts against: the peer, or, from a trusted
  // proxy, the last X-Forwarded-For hop that is not itself a trusted proxy.
  std::string_view client(const http::Request& req) const;
  // A check of `who`'s password found `match`: the limiter's accounting,
  // done for every check that ran, whether or not its client is still there
  // to be answered (leaving early must not make a guess free).
  void checked(const auth::Limiter::Client& who, bool match) const;
  // A held login's connection is freed before its check came back: the
  // check is cancelled, or its result dropped when it comes.
  void on_abandoned(reactor::Conn& client) const override {
    if (checks != nullptr) checks->cancel(client.id());
  }
};

static constexpr size_t kMaxLoginBody = 4096;

// Middleware: GET and POST /login.
Outcome login(const Login& l, Exchange& ex);
size_t login_body_limit(const Login& l, const http::Request& req);
// Middleware: GET /logout.
Outcome logout(const Login& l, Exchange& ex);
// Middleware, after every public route: the rest needs a session.  GET /
// goes to the login page; anything else is 401.
Outcome guard(const Login& l, Exchange& ex);

}  // namespace routes
