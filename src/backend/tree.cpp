// SPDX-License-Identifier: MIT
#include "backend/tree.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434          // the same number on every architecture (Linux 5.3)
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424   // Linux 5.1
#endif

namespace backend {
namespace {

// Reads a small /proc file into `buf` (NUL-terminated); its length, or -1.
ssize_t read_proc(const char* path, char* buf, size_t cap) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  size_t n = 0;
  ssize_t r;
  while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0) n += static_cast<size_t>(r);
  close(fd);
  buf[n] = '\0';
  return static_cast<ssize_t>(n);
}

// "pid (comm) S ppid ...": comm may hold spaces and parentheses, so the
// state follows the last ')'.
pid_t parse_ppid(const char* stat) {
  const char* close = strrchr(stat, ')');
  if (close == nullptr || close[1] != ' ' || close[2] == '\0' || close[3] != ' ') return -1;
  long v = 0;
  const char* p = close + 4;
  if (*p < '0' || *p > '9') return -1;
  for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
  return static_cast<pid_t>(v);
}

bool parse_pid(const char* name, pid_t* pid) {
  long v = 0;
  if (*name == '\0') return false;
  for (const char* p = name; *p; p++) {
    if (*p < '0' || *p > '9' || v > 1 << 30) return false;
    v = v * 10 + (*p - '0');
  }
  *pid = static_cast<pid_t>(v);
  return v > 0;
}

// The value of "Key:   123 kB" in a /proc status-like text; -1 if absent.
long long field_kib(const char* text, const char* key) {
  size_t k = strlen(key);
  for (const char* line = text; line != nullptr && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : nullptr) {
    if (strncmp(line, key, k) != 0) continue;
    const char* p = line + k;
    while (*p == ' ' || *p == '\t') p++;
    long long v = 0;
    for (; *p >= '0' && *p <= '9'; p++) v = v * 10 + (*p - '0');
    return v;
  }
  return -1;
}

int64_t mono_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

pid_t parent_of(pid_t pid) {
  char path[32], buf[512];
  snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid));
  return read_proc(path, buf, sizeof buf) > 0 ? parse_ppid(buf) : -1;
}

// Only the processes below are kept, so the table holds what is below
// however many the box runs.  Each pass reads /proc once and adds the
// processes whose parent is the root or already in; /proc lists pids in
// ascending order and a child's pid is most often above its parent's, so
// the first pass finds nearly all and the second finds nothing new.  A
// child whose pid wrapped below its parent's joins a pass later.
bool Tree::scan(pid_t root) {
  n_ = marked_ = 0;
  truncated_ = false;
  root_ = root;
  bool added = true;
  for (size_t pass = 0; added && pass < kMaxPasses; pass++) {
    added = false;
    int dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return false;
    // getdents64 into a buffer of our own: readdir(3) allocates.
    alignas(8) char buf[8192];
    long got;
    while ((got = syscall(SYS_getdents64, dir, buf, sizeof buf)) > 0) {
      for (long off = 0; off < got;) {
        // struct linux_dirent64: ino (8), off (8), reclen (2), type (1), name.
        unsigned short reclen;
        memcpy(&reclen, buf + off + 16, sizeof reclen);
        const char* name = buf + off + 19;
        off += reclen;
        pid_t pid;
        if (!parse_pid(name, &pid) || pid == root || in(pid)) continue;
        pid_t ppid = parent_of(pid);
        if (ppid < 0 || (ppid != root && !in(ppid))) continue;  // gone meanwhile, or not below
        if (n_ == kMax) {
          truncated_ = true;
          continue;
        }
        e_[n_++] = Entry{pid, ppid, true};
        added = true;
      }
    }
    close(dir);
    if (got < 0) return false;
  }
  marked_ = n_;
  std::sort(e_, e_ + n_, [](const Entry& a, const Entry& b) { return a.pid < b.pid; });
  return true;
}

// While scanning the table is in /proc's order, not sorted: a linear look.
// It holds only what is below the root, a few dozen processes.
bool Tree::in(pid_t pid) const {
  for (size_t i = 0; i < n_; i++) {
    if (e_[i].pid == pid) return true;
  }
  return false;
}

const Tree::Entry* Tree::find(pid_t pid) const {
  const Entry* e = std::lower_bound(e_, e_ + n_, pid, [](const Entry& x, pid_t p) { return x.pid < p; });
  return e != e_ + n_ && e->pid == pid ? e : nullptr;
}

// Unmarks `sub`, then whatever lost its marked parent, a generation a pass.
void Tree::spare(pid_t sub) {
  for (bool changed = true; changed;) {
    changed = false;
    for (size_t i = 0; i < n_; i++) {
      Entry& e = e_[i];
      if (!e.marked) continue;
      const Entry* parent = find(e.ppid);
      if (e.pid != sub && (e.ppid == root_ || (parent != nullptr && parent->marked))) continue;
      e.marked = false;
      marked_--;
      changed = true;
    }
  }
}

size_t Tree::children_of(pid_t parent, pid_t* out, size_t cap) const {
  size_t k = 0;
  for (size_t i = 0; i < n_ && k < cap; i++) {
    if (e_[i].ppid == parent) out[k++] = e_[i].pid;
  }
  return k;
}

size_t Tree::signal(int sig) const {
  size_t sent = 0;
  for (size_t i = 0; i < n_; i++) {
    if (!e_[i].marked) continue;
    pid_t pid = e_[i].pid;
    // The pidfd pins the process the pid names now; the parent read after
    // it says whether that is still one below (a pid reused by a stranger
    // is not).  Without pidfds (Linux before 5.3) the same check, then kill.
    int fd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
    if (fd < 0 && errno != ENOSYS) continue;  // gone
    pid_t ppid = parent_of(pid);
    const Entry* parent = find(ppid);
    bool below = ppid == root_ || (parent != nullptr && parent->marked);
    bool ok = false;
    if (below) ok = fd >= 0 ? syscall(SYS_pidfd_send_signal, fd, sig, nullptr, 0) == 0 : kill(pid, sig) == 0;
    if (fd >= 0) close(fd);
    sent += ok;
  }
  return sent;
}

Tree::Usage Tree::usage(pid_t also) const {
  Usage u;
  char path[48], buf[4096];
  for (size_t i = 0; i <= n_; i++) {
    pid_t pid = i < n_ ? (e_[i].marked ? e_[i].pid : 0) : also;
    if (pid <= 0) continue;
    snprintf(path, sizeof path, "/proc/%d/smaps_rollup", static_cast<int>(pid));
    long long rss = -1, pss = -1;
    if (read_proc(path, buf, sizeof buf) > 0) {
      rss = field_kib(buf, "Rss:");
      pss = field_kib(buf, "Pss:");
    }
    if (rss < 0) {  // before Linux 4.14, or not allowed: the status line
      snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid));
      if (read_proc(path, buf, sizeof buf) > 0) rss = field_kib(buf, "VmRSS:");
    }
    if (rss < 0) continue;  // gone, or a kernel thread
    u.processes++;
    u.rss_kib += static_cast<uint64_t>(rss);
    u.pss_kib += pss > 0 ? static_cast<uint64_t>(pss) : 0;
  }
  return u;
}

bool end_all_below_self(int bound_ms, const pid_t* spare, size_t n_spare) {
  static Tree tree;  // 48 KiB: not on the stack of whoever calls at its end
  pid_t self = getpid();
  int64_t deadline = mono_ms() + bound_ms;
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    pid_t r;
    while ((r = waitpid(-1, nullptr, WNOHANG)) > 0) {}
    if (r < 0 && errno == ECHILD) return true;
    if (tree.scan(self)) {
      for (size_t i = 0; i < n_spare; i++) tree.spare(spare[i]);
      if (tree.below() == 0) return true;  // what is left is spared
      tree.signal(SIGKILL);
    }
    int64_t left = deadline - mono_ms();
    if (left <= 0) return false;
    // Woken by the next death, or after at most 50 ms to look again.
    timespec wait{0, static_cast<long>(std::min<int64_t>(left, 50)) * 1000000};
    sigtimedwait(&chld, nullptr, &wait);
  }
}

}  // namespace backend
