// SPDX-License-Identifier: MIT
// fd_limit — fit the connection slots to the descriptors portico may open.
//
// Past RLIMIT_NOFILE, accept4 fails with EMFILE and a client waits in the
// backlog instead of getting the 503 that full slots answer at once.  So at
// start the soft limit is raised (never past the hard one, and only as far as
// the slots need), and when that is not enough the slots are cut to what fits.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sys {

struct FdNeed {
  size_t slots = 0;      // connection slots wanted
  size_t per_slot = 1;   // descriptors one slot may hold at most
  size_t besides = 0;    // descriptors open or kept back apart from the slots
};

struct FdFit {
  size_t slots = 0;      // what fits, at most FdNeed::slots
  uint64_t soft = 0;     // RLIMIT_NOFILE now
  uint64_t hard = 0;
  uint64_t was = 0;      // the soft limit before
};

// Slots that fit under `limit` descriptors: at least one, so a starved
// process still serves someone (the accept back-off copes with the rest).
size_t slots_within(uint64_t limit, const FdNeed& need);
// Descriptors open in this process, from /proc/self/fd; `fallback` without it.
size_t open_fds(size_t fallback);
// Raises the soft limit toward what `need` takes, and says what fits.
FdFit fit_fds(const FdNeed& need);

}  // namespace sys
