// SPDX-License-Identifier: MIT
// conn_state — what one HTTP connection remembers between events (kept in
// Conn::proto()); shared by handler.cpp (requests) and deferred.cpp
// (answers that come from elsewhere).  Internal to src/http/.
#pragma once

#include <cstdint>

#include "http/parser.h"
#include "http/response.h"
#include "reactor/conn.h"

namespace http {

// Parser events handled in one go.  Everything pipelined is already in the
// input chunk (at most max_head bytes), so this only guards against a bug;
// stopping early would strand those bytes with no event to resume them.
constexpr int kMaxSteps = 1 << 20;

enum class Phase : unsigned char {
  Idle,     // between requests, nothing buffered
  Head,     // receiving a head
  Body,     // answered; reading and dropping the rest of the body
  Collect,  // a route reads this body: waiting until all of it is buffered
  Forward,  // a deferred answer: streaming the request body to the router
  Await,    // a deferred answer: request sent, waiting for finish()
  Hold,     // a held answer: the whole request buffered, waiting for replay()
};

// The answer comes from elsewhere (a proxy, or a held request's replay):
// reading pauses when the buffer is full, and nothing new is parsed.
inline bool elsewhere(Phase p) { return p == Phase::Forward || p == Phase::Await || p == Phase::Hold; }

struct ConnState {
  Parser parser;
  Answerer* answerer = nullptr;      // Forward, Await: who answers (Response::defer)
  const Waiter* waiter = nullptr;    // Hold: what the answer waits on (Response::hold)
  Phase phase = Phase::Idle;
  uint32_t body_len = 0;       // Collect: bytes of body expected after the head
  bool peer_done = false;      // the client half-closed: answer what is buffered, then end
  bool close_after = false;    // end the connection once the current answer has left: the
                               // one record of it, set as each reason is learnt (Handler::keeps)
};

inline ConnState& state_of(reactor::Conn& c) { return *static_cast<ConnState*>(c.proto()); }

}  // namespace http
