// SPDX-License-Identifier: MIT
#include "sys/fd_limit.h"

#include <algorithm>
#include <dirent.h>
#include <sys/resource.h>

namespace sys {

size_t slots_within(uint64_t limit, const FdNeed& need) {
  uint64_t room = limit > need.besides ? limit - need.besides : 0;
  return std::max<size_t>(1, static_cast<size_t>(std::min<uint64_t>(need.slots, room / std::max<size_t>(1, need.per_slot))));
}

size_t open_fds(size_t fallback) {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return fallback;
  size_t n = 0;
  while (const dirent* e = readdir(d)) {
    if (e->d_name[0] != '.') n++;
  }
  closedir(d);
  return n > 0 ? n - 1 : 0;  // less the directory's own
}

FdFit fit_fds(const FdNeed& need) {
  FdFit fit;
  rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    fit.slots = need.slots;
    return fit;
  }
  fit.was = fit.soft = rl.rlim_cur;
  fit.hard = rl.rlim_max;
  uint64_t want = need.besides + static_cast<uint64_t>(need.slots) * need.per_slot;
  if (rl.rlim_cur != RLIM_INFINITY && want > rl.rlim_cur) {
    // Only as far as needed: every child inherits the soft limit, and some
    // programs still walk every descriptor number below it.
    rlimit up = rl;
    up.rlim_cur = rl.rlim_max == RLIM_INFINITY ? want : std::min<uint64_t>(want, rl.rlim_max);
    if (up.rlim_cur > rl.rlim_cur && setrlimit(RLIMIT_NOFILE, &up) == 0) fit.soft = up.rlim_cur;
  }
  fit.slots = slots_within(fit.soft, need);
  return fit;
}

}  // namespace sys
