// SPDX-License-Identifier: MIT
#include "backend/supervisor.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/keeper.h"
#include "base/log.h"

extern char** environ;

namespace backend {
namespace {

constexpr int64_t kPollMs = 100;           // readiness: try the socket this often
constexpr int64_t kStartLimitMs = 60000;   // ...for at most this long
constexpr int64_t kMaxBackoffMs = 30000;
constexpr int64_t kHealthyMs = 60000;      // up this long: the back-off starts over
constexpr int kGraceMs = 5000;             // a stop: SIGTERM, then this long before SIGKILL
// A keeper asked to stop is done within its grace, a second for leftovers
// and its SIGKILL rounds (keeper.cpp); past this it is killed itself.
constexpr int64_t kKeeperBoundMs = kGraceMs + 7000;
constexpr int64_t kIdleRecheckMs = 5000;   // while something is open: look again this often
constexpr int64_t kUsageMs = 1000;         // the memory report is read at most this often

using base::Level;
using base::logf;

int64_t mono_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

const char* Supervisor::name(State s) {
  switch (s) {
    case State::Stopped: return "stopped";
    case State::Starting: return "starting";
    case State::Ready: return "ready";
    case State::Backoff: return "restarting";
    case State::Stopping: return "stopping";
  }
  return "?";
}

Supervisor::~Supervisor() {
  if (out_fd_ >= 0) close(out_fd_);
}

bool Supervisor::init(reactor::Loop* loop, Launch launch, std::string* err) {
  loop_ = loop;
  launch_ = std::move(launch);
  const char* base_dir = getenv("XDG_RUNTIME_DIR");
  std::string tmpl = std::string(base_dir != nullptr && *base_dir ? base_dir : "/tmp") + "/portico-vscode-XXXXXX";
  if (mkdtemp(&tmpl[0]) == nullptr) return *err = "mkdtemp " + tmpl + ": " + strerror(errno), false;
  dir_ = tmpl;  // mkdtemp makes it 0700
  socket_ = dir_ + "/vscode.sock";
  // A keeper killed from outside leaves its tree to the nearest subreaper:
  // portico, not init, so it is still portico's to end (end_strays).
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) logf(Level::Warn, "vscode: cannot be a subreaper: %s", strerror(errno));
  // Children portico had before (a run script's `svc & exec portico`) are
  // not the server's: spared whenever what is below is ended.
  if (tree_.scan(getpid())) n_inherited_ = tree_.children_of(getpid(), inherited_, kMaxInherited);
  alarm_.fire = on_alarm;
  alarm_.arg = this;
  idle_alarm_.fire = on_idle_check;
  idle_alarm_.arg = this;
  since_ms_ = loop_->clock().wall_ms();
  return true;
}

void Supervisor::want() {
  use.last_ms = loop_->clock().now_ms();
  if (state_ == State::Stopped) spawn();
  else if (state_ == State::Stopping) again_ = true;
}

void Supervisor::enter(State s) {
  state_ = s;
  since_ms_ = loop_->clock().wall_ms();
  usage_ms_ = -1;
  if (s == State::Ready && launch_.idle_ms > 0) loop_->arm(&idle_alarm_, loop_->clock().now_ms() + launch_.idle_ms);
  if (!base::log_enabled(Level::Debug)) return;
  Tree::Usage u = report().usage;
  logf(Level::Debug, "vscode: %s; %u processes below portico for it, RSS %llu KiB, PSS %llu KiB", name(s),
       u.processes, static_cast<unsigned long long>(u.rss_kib), static_cast<unsigned long long>(u.pss_kib));
}

void Supervisor::spawn() {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    logf(Level::Error, "vscode: pipe: %s", strerror(errno));
    return;
  }
  end_output();  // a stop's last lines, when a start follows at once
  unlink(socket_.c_str());
  // Everything the keeper needs is made here: after the fork it allocates nothing.
  std::vector<std::string> args = launch_.argv;
  args.push_back("--socket-path");
  args.push_back(socket_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  std::string tmpdir = "TMPDIR=" + dir_;  // its ipc sockets go with the directory
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; e++) {
    if (strncmp(*e, "TMPDIR=", 7) != 0) envp.push_back(*e);
  }
  envp.push_back(&tmpdir[0]);
  envp.push_back(nullptr);
  pid_t pid = start_keeper(KeeperArgs{argv.data(), envp.data(), pipefd[1], kGraceMs});
  close(pipefd[1]);
  if (pid < 0) {
    logf(Level::Error, "vscode: fork: %s", strerror(errno));
    close(pipefd[0]);
    return;
  }
  out_fd_ = pipefd[0];
  fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
  loop_->add(out_fd_, this, EPOLLIN);
  pid_ = pid;
  started_ms_ = loop_->clock().now_ms();
  logf(Level::Info, "vscode: started %s (keeper pid %d)", launch_.argv[0].c_str(), static_cast<int>(pid));
  enter(State::Starting);
  loop_->arm(&alarm_, started_ms_ + kPollMs);
}

void Supervisor::check_ready() {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  strncpy(un.sun_path, socket_.c_str(), sizeof un.sun_path - 1);
  bool up = fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&un), sizeof un) == 0;
  if (fd >= 0) close(fd);
  int64_t now = loop_->clock().now_ms();
  if (up) {
    ready_ms_ = now;
    logf(Level::Info, "vscode: ready after %lld ms", static_cast<long long>(now - started_ms_));
    enter(State::Ready);
    return;
  }
  if (now - started_ms_ > kStartLimitMs) {
    logf(Level::Error, "vscode: not ready after %lld s; stopping it", static_cast<long long>(kStartLimitMs / 1000));
    kill(pid_, SIGTERM);  // the keeper ends it; reap() plans the next try
    return;
  }
  loop_->arm(&alarm_, now + kPollMs);
}

void Supervisor::ask_to_stop(const char* why) {
  if (pid_ <= 0) return;
  logf(Level::Info, "vscode: stopping: %s", why);
  kill(pid_, SIGTERM);
  enter(State::Stopping);
  loop_->arm(&alarm_, loop_->clock().now_ms() + kKeeperBoundMs);
}

void Supervisor::on_alarm(void* self) {
  auto* s = static_cast<Supervisor*>(self);
  if (s->state_ == State::Starting) s->check_ready();
  else if (s->state_ == State::Backoff) s->spawn();
  else if (s->state_ == State::Stopping && s->pid_ > 0) {
    logf(Level::Error, "vscode: its keeper did not finish in %lld s; SIGKILL", static_cast<long long>(kKeeperBoundMs / 1000));
    kill(s->pid_, SIGKILL);  // reap() ends what it kept
  }
}

// Idle: nothing open to the server and nothing asked for it since `idle_ms`.
void Supervisor::on_idle_check(void* self) {
  auto* s = static_cast<Supervisor*>(self);
  if (s->state_ != State::Ready) return;  // armed again when it is next ready
  int64_t now = s->loop_->clock().now_ms(), idle = s->launch_.idle_ms;
  int64_t last = std::max(s->use.last_ms, s->ready_ms_);
  if (s->use.open == 0 && now - last >= idle) {
    char why[64];
    snprintf(why, sizeof why, "unused for %lld s", static_cast<long long>((now - last) / 1000));
    s->ask_to_stop(why);
    return;
  }
  s->loop_->arm(&s->idle_alarm_, s->use.open > 0 ? now + std::min(idle, kIdleRecheckMs) : last + idle);
}

void Supervisor::reap() {
  int status;
  pid_t pid;
  // The keeper, and what a killed keeper left to portico: all that is dead
  // now, since one SIGCHLD stands for any number of deaths.  Bounded by the
  // most processes a Tree follows, a scan's worth of strays in one go.
  for (size_t i = 0; i <= Tree::kMax && (pid = waitpid(-1, &status, WNOHANG)) > 0; i++) {
    if (pid != pid_) continue;
    end_output();
    pid_ = -1;
    strays_ = true;  // none, unless the keeper was killed or could not end all of it: a scan says
    loop_->disarm(&alarm_);
    int code, sig;
    if (!server_status(status, &code, &sig)) {
      logf(Level::Warn, "vscode: its keeper was killed by signal %d; ending what it kept", WTERMSIG(status));
    } else if (sig != 0 && state_ != State::Stopping) {
      logf(Level::Warn, "vscode: killed by signal %d", sig);
    } else if (state_ != State::Stopping) {
      logf(Level::Warn, "vscode: exited with status %d", code);
    }
    if (state_ == State::Stopping) {
      logf(Level::Info, "vscode: stopped; the next request starts it");
      enter(State::Stopped);
      if (again_) spawn();
      again_ = false;
      continue;
    }
    int64_t now = loop_->clock().now_ms();
    if (now - started_ms_ > kHealthyMs) backoff_ms_ = 1000;
    logf(Level::Info, "vscode: restarting in %lld ms", static_cast<long long>(backoff_ms_));
    enter(State::Backoff);
    loop_->arm(&alarm_, now + backoff_ms_);
    backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
  }
  if (strays_) end_strays();
}

// What a killed keeper kept is below portico now: SIGKILL for all of it
// but a new keeper's tree, again at each death, until none is left.
void Supervisor::end_strays() {
  if (!tree_.scan(getpid())) return;
  if (pid_ > 0) tree_.spare(pid_);
  for (size_t i = 0; i < n_inherited_; i++) tree_.spare(inherited_[i]);
  usage_ms_ = -1;
  if (tree_.below() == 0) {
    strays_ = false;
    return;
  }
  size_t n = tree_.signal(SIGKILL);
  logf(Level::Debug, "vscode: SIGKILL to %zu processes a keeper left", n);
}

Supervisor::Report Supervisor::report() {
  int64_t now = loop_->clock().now_ms();
  if (usage_ms_ < 0 || now - usage_ms_ >= kUsageMs) {
    usage_ = Tree::Usage{};
    if (pid_ > 0 && tree_.scan(pid_)) usage_ = tree_.usage(pid_);
    usage_ms_ = now;
  }
  return Report{state_, since_ms_, usage_};
}

void Supervisor::on_event(uint32_t) {
  size_t room = sizeof line_ - line_len_;
  ssize_t n = read(out_fd_, line_ + line_len_, room);
  if (n > 0) {
    line_len_ += static_cast<size_t>(n);
    forward_lines(false);
    return;
  }
  if (n == 0 || (errno != EAGAIN && errno != EINTR)) end_output();  // the server closed its output
}

// The keeper is gone (or its tree closed the pipe): what is in the pipe is
// read, a bounded number of times, and the pipe closed, so that the next
// start never leaves an old one in the loop.
void Supervisor::end_output() {
  if (out_fd_ < 0) return;
  for (int i = 0; i < 64; i++) {
    ssize_t n = read(out_fd_, line_ + line_len_, sizeof line_ - line_len_);
    if (n <= 0) break;
    line_len_ += static_cast<size_t>(n);
    forward_lines(false);
  }
  forward_lines(true);
  loop_->remove(out_fd_);
  close(out_fd_);
  out_fd_ = -1;
}

// Each complete line of the server's output becomes one log line.
void Supervisor::forward_lines(bool flush_all) {
  size_t start = 0;
  for (size_t i = 0; i < line_len_; i++) {
    if (line_[i] != '\n') continue;
    if (i > start) logf(Level::Info, "vscode: %.*s", static_cast<int>(i - start), line_ + start);
    start = i + 1;
  }
  if (start == 0 && line_len_ == sizeof line_) flush_all = true;  // an over-long line: cut it
  if (flush_all && start < line_len_) {
    logf(Level::Info, "vscode: %.*s", static_cast<int>(line_len_ - start), line_ + start);
    start = line_len_;
  }
  memmove(line_, line_ + start, line_len_ - start);
  line_len_ -= start;
}

void Supervisor::stop(int grace_ms) {
  loop_->disarm(&alarm_);
  loop_->disarm(&idle_alarm_);
  if (pid_ > 0) {
    // The keeper ends the server's tree; it is waited for (SIGCHLD is
    // blocked, for the signalfd: sigtimedwait takes it here).
    kill(pid_, SIGTERM);
    sigset_t chld;
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    bool gone = false;
    for (int64_t end = mono_ms() + std::min<int64_t>(grace_ms, kGraceMs) + 7000; !gone && mono_ms() < end;) {
      gone = waitpid(pid_, nullptr, WNOHANG) == pid_;
      timespec wait{0, 50 * 1000000};
      if (!gone) sigtimedwait(&chld, nullptr, &wait);
    }
    if (!gone) {
      logf(Level::Warn, "vscode: its keeper still running; SIGKILL");
      kill(pid_, SIGKILL);
    }
    pid_ = -1;
  }
  // Anything left below portico (a killed keeper's strays, or the keeper
  // just killed) is killed and reaped.
  if (!end_all_below_self(2000, inherited_, n_inherited_)) logf(Level::Warn, "vscode: some of its processes would not die");
  // The directory holds the socket and the server's ipc sockets (its TMPDIR).
  if (!dir_.empty()) {
    if (DIR* d = opendir(dir_.c_str())) {
      while (dirent* e = readdir(d)) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlinkat(dirfd(d), e->d_name, 0);
      }
      closedir(d);
    }
    rmdir(dir_.c_str());
    dir_.clear();
  }
  state_ = State::Stopped;
}

}  // namespace backend
