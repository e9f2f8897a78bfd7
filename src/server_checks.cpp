// SPDX-License-Identifier: MIT
// server_checks — the composition's password checks: the worker's results
// come back through an eventfd in the epoll set, and each is matched to its
// connection by id, never by a pointer kept across the wait.
#include "server.h"

#include <cerrno>
#include <cstring>

#include "base/log.h"

using base::Level;
using base::logf;

// Only Argon2 is slow enough to need the worker.
int Server::start_checks() {
  if (password_.kind() != auth::Password::Kind::Argon2) return 0;
  check_results_.server = this;
  if (!checks_.start(password_) || !loop_.add(checks_.fd(), &check_results_, EPOLLIN)) {
    logf(Level::Fatal, "password checks: cannot start the worker: %s", strerror(errno));
    return config::kExitSystem;
  }
  login_.checks = &checks_;
  return 0;
}

// Every result is accounted for (the limiter and the log), then answered if
// its client still waits; one whose client left is dropped here, and no slot
// of a Conn is touched for it.
void Server::collect_checks() {
  auth::CheckQueue::Result r;
  checks_.ack();
  // At most kSlots were done before ack(); any finished since has bumped the
  // eventfd again, so stopping at the bound strands none.
  for (size_t i = 0; i < 2 * auth::CheckQueue::kSlots && checks_.take(&r); i++) {
    if (!r.ran) continue;  // cancelled: its client is gone and no guess was checked
    if (r.failed) logf(Level::Error, "login: the password hash could not be checked for %s: out of memory", r.name);
    else login_.checked(r.who, r.match);
    reactor::Conn* c = loop_.find(r.ticket);
    if (c == nullptr || !http_.held(*c)) {
      if (!r.match && !r.failed) logf(Level::Warn, "login: wrong password from %s (gone before the answer)", r.name);
      continue;
    }
    replay_verdict_ = r.failed ? routes::Verdict::Failed : r.match ? routes::Verdict::Match : routes::Verdict::Mismatch;
    (void)http_.replay(*c);
    replay_verdict_ = routes::Verdict::None;
  }
}
