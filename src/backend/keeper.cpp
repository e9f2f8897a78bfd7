// SPDX-License-Identifier: MIT
#include "backend/keeper.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/tree.h"

#ifndef SYS_close_range
#define SYS_close_range 436   // the same number on every architecture (Linux 5.9)
#endif

namespace backend {
namespace {

constexpr int kLeftoverMs = 1000;   // what the server left: SIGTERM, then this long
constexpr int kKillBoundMs = 5000;  // SIGKILL rounds: a process stuck in the kernel is given up on

int64_t mono_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Every descriptor from 3 up closed: the keeper and the server must hold
// none of portico's (its listener, its connections, its epoll set).
void close_from_3() {
  if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0) return;
  rlimit r{};
  rlim_t top = getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur != RLIM_INFINITY ? r.rlim_cur : 65536;
  for (rlim_t fd = 3; fd < std::min<rlim_t>(top, 1 << 20); fd++) close(static_cast<int>(fd));
}

int status_code(int st) {
  if (WIFEXITED(st)) return WEXITSTATUS(st);
  if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
  return 128 + SIGKILL;
}

// One line on the output portico logs, with write(2) alone: after fork() in
// a process with threads, stdio and strerror(3) (locale) are not safe.
void say(const char* what, const char* arg, int err) {
  const char* name = strerrorname_np(err);  // a constant string: "ENOENT"
  const char* parts[] = {what, arg, ": ", name != nullptr ? name : "error", "\n"};
  for (const char* s : parts) (void)!write(STDERR_FILENO, s, strlen(s));
}

[[noreturn]] void serve(const KeeperArgs& a, pid_t portico) {
  // Asked to go when portico does; if it went before this line, now.
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  bool asked = getppid() != portico;
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_NAME, "portico-keeper");
  setsid();  // a ^C at portico's terminal is portico's to pass on, not the server's
  // These arrive as events (sigtimedwait), as in portico; the mask is
  // inherited by nothing: the server gets a clean one.
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGTERM, SIGINT, SIGHUP, SIGCHLD}) sigaddset(&set, s);
  sigprocmask(SIG_SETMASK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
  dup2(a.out_fd, STDOUT_FILENO);
  dup2(a.out_fd, STDERR_FILENO);
  int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull >= 0) dup2(devnull, STDIN_FILENO);
  close_from_3();

  pid_t server = fork();
  if (server == 0) {
    setsid();  // its own group: asking it to go reaches its helpers too
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    prctl(PR_SET_PDEATHSIG, 0);
    execvpe(a.argv[0], a.argv, a.envp);
    say("cannot run ", a.argv[0], errno);
    _exit(127);
  }
  if (server < 0) {
    say("keeper: fork", "", errno);
    _exit(127);
  }

  static Tree left;  // 48 KiB: not on the stack
  enum class Phase { Running, Asked, Leftovers } phase = Phase::Running;
  int64_t deadline = INT64_MAX;
  int status = 0;
  bool done = false;
  for (;;) {
    if (asked && phase == Phase::Running) {
      if (kill(-server, SIGTERM) != 0) kill(server, SIGTERM);  // not yet in its own group
      phase = Phase::Asked;
      deadline = mono_ms() + a.grace_ms;
    }
    pid_t r;
    int st;
    while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
      if (r == server) {
        done = true;
        status = st;
      }
    }
    if (done && r < 0 && errno == ECHILD) _exit(status_code(status));
    if (done && phase != Phase::Leftovers) {
      if (left.scan(getpid())) left.signal(SIGTERM);
      phase = Phase::Leftovers;
      deadline = mono_ms() + kLeftoverMs;
    }
    int64_t now = mono_ms();
    if (now >= deadline) {
      end_all_below_self(kKillBoundMs);  // reaps the server too, if it was still there
      _exit(done ? status_code(status) : 128 + SIGKILL);
    }
    siginfo_t info;
    int64_t left_ms = std::min<int64_t>(deadline - now, 3600 * 1000);
    timespec wait{static_cast<time_t>(left_ms / 1000), static_cast<long>(left_ms % 1000) * 1000000};
    int sig = sigtimedwait(&set, &info, &wait);
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) asked = true;
  }
}

}  // namespace

pid_t start_keeper(const KeeperArgs& a) {
  pid_t portico = getpid();
  pid_t pid = fork();
  if (pid == 0) serve(a, portico);
  return pid;
}

bool server_status(int st, int* code, int* sig) {
  *code = *sig = 0;
  if (!WIFEXITED(st)) return false;
  int c = WEXITSTATUS(st);
  if (c > 128) *sig = c - 128;
  else *code = c;
  return true;
}

}  // namespace backend
