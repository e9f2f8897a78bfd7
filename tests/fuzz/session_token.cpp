// SPDX-License-Identifier: MIT
// session_token — fuzzes the login cookie check (auth::Sessions::valid, and
// revoke on what it refuses) with forged tokens: the input itself, and one
// real token edited where the input says.  The key and the revocation list
// go to a scratch directory under $TMPDIR (or /tmp), removed once they are
// read: checking tokens touches no file.
//
// Invariants: no token is valid but the one issued, and that one only
// before its expiry; an edited token is valid only when the edits changed
// nothing; a revoked token stays refused; revoking a refused token does not
// end the real session.
//
// Input: from the end, the time to check at (seconds around the expiry);
// the rest is both a token and a list of edits (position, character).
//
// fuzz: -max_len=256
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "auth/sessions.h"
#include "fuzz.h"

namespace {

constexpr uint32_t kLifetime = 3600;

struct State {
  char dir[64];
  auth::Sessions sessions;
  int64_t issued_at = 0;
  std::string token, revoked;
};

State* state;

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  state = new State;
  const char* tmp = getenv("TMPDIR");
  snprintf(state->dir, sizeof state->dir, "%s/portico-fuzz-XXXXXX", tmp != nullptr && *tmp ? tmp : "/tmp");
  std::string err;
  FUZZ_CHECK(mkdtemp(state->dir) != nullptr);
  FUZZ_CHECK(state->sessions.open(state->dir, "fingerprint", kLifetime, &err));
  state->issued_at = time(nullptr);
  char t[auth::Sessions::kTokenChars];
  FUZZ_CHECK(state->sessions.issue(state->issued_at, t));
  state->token.assign(t, sizeof t);
  FUZZ_CHECK(state->sessions.issue(state->issued_at, t));
  state->revoked.assign(t, sizeof t);
  FUZZ_CHECK(state->sessions.revoke(state->revoked, state->issued_at));
  for (const char* f : {"/portico-session.key", "/portico-revoked"}) unlink((std::string(state->dir) + f).c_str());
  rmdir(state->dir);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const auth::Sessions& s = state->sessions;
  int64_t at = state->issued_at + in.ConsumeIntegralInRange<int64_t>(-int64_t{kLifetime}, 2 * int64_t{kLifetime});
  std::string raw = in.ConsumeRemainingBytesAsString();

  FUZZ_CHECK(s.valid(state->token, at) == (at < state->issued_at + kLifetime));
  FUZZ_CHECK(!s.valid(state->revoked, state->issued_at));
  FUZZ_CHECK(!s.valid(raw, at) || raw == state->token);

  std::string edited = state->token;
  for (size_t i = 0; i + 1 < raw.size(); i += 2) edited[static_cast<uint8_t>(raw[i]) % edited.size()] = raw[i + 1];
  FUZZ_CHECK(s.valid(edited, state->issued_at) == (edited == state->token));

  if (raw != state->token) {
    FUZZ_CHECK(state->sessions.revoke(raw, state->issued_at));  // refused: nothing to end
    FUZZ_CHECK(s.valid(state->token, state->issued_at));
  }
  return 0;
}
