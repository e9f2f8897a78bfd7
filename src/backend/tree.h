// SPDX-License-Identifier: MIT
// tree — the processes below one process, read from /proc.
//
// What a process started lives on in places its process group does not
// reach: a terminal's shell has its own session, `sleep 1000 &` there its
// own group, and a daemon that forked twice has left its parent altogether.
// Only the parent links cover them all, and only while no ancestor has
// died; portico and its keeper are subreapers (prctl(2)), so an orphan
// below them is given to them, not to init, and stays below.
//
// A Tree is a snapshot: pids and parent pids from /proc/[pid]/stat of the
// processes below, in a fixed table (no allocation: it is used in a forked
// child of a threaded process, where only system calls are safe).  A pid read from it may have
// been reused since; signal() therefore opens a pidfd and checks the parent
// again before it signals, so only a process still below is ever hit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <sys/types.h>

namespace backend {

class Tree {
 public:
  static constexpr size_t kMax = 4096;       // processes below that are followed
  static constexpr size_t kMaxPasses = 64;   // reads of /proc a scan makes at most

  // Reads /proc for the processes below `root` (not `root`), all marked.
  // False when /proc cannot be read.  truncated(): more than kMax are.
  bool scan(pid_t root);
  // Unmarks `sub` and what is below it (a subtree that is someone else's).
  void spare(pid_t sub);
  size_t below() const { return marked_; }
  bool has(pid_t pid) const {
    const Entry* e = find(pid);
    return e != nullptr && e->marked;
  }
  bool truncated() const { return truncated_; }
  // Up to `cap` pids whose parent is `parent`, into `out`; how many.
  size_t children_of(pid_t parent, pid_t* out, size_t cap) const;
  // Sends `sig` to every marked process still below; returns how many.
  size_t signal(int sig) const;

  // Memory of the marked processes, plus `also` (a pid, or 0).
  struct Usage {
    uint32_t processes = 0;
    uint64_t rss_kib = 0;   // VmRSS summed: a shared page counts in each process
    uint64_t pss_kib = 0;   // Pss summed (smaps_rollup): each page counted once; 0 when unknown
  };
  Usage usage(pid_t also) const;

 private:
  struct Entry {
    pid_t pid, ppid;
    bool marked;
  };
  bool in(pid_t pid) const;
  const Entry* find(pid_t pid) const;

  Entry e_[kMax];
  size_t n_ = 0, marked_ = 0;
  pid_t root_ = 0;
  bool truncated_ = false;
};

// The parent of `pid` from /proc/[pid]/stat; -1 when it is gone.
pid_t parent_of(pid_t pid);

// Kills every process below the caller but the `spare` subtrees (SIGKILL,
// again for any that appear meanwhile) and reaps the caller's children,
// until none is left but those or `bound_ms` has passed.  For a subreaper,
// none left below means none left at all: true then; false when some would
// not die (stuck in the kernel).  SIGCHLD must be blocked.  Blocks: for a
// keeper's end and portico's shutdown.
bool end_all_below_self(int bound_ms, const pid_t* spare = nullptr, size_t n_spare = 0);

}  // namespace backend
