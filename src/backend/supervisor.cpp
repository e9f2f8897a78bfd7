// SPDX-License-Identifier: MIT
#include "backend/supervisor.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <dirent.h>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"

namespace backend {
namespace {

constexpr int64_t kPollMs = 100;          // readiness: try the socket this often
constexpr int64_t kStartLimitMs = 60000;  // ...for at most this long
constexpr int64_t kMaxBackoffMs = 30000;
constexpr int64_t kHealthyMs = 60000;     // up this long: the back-off starts over

using base::Level;
using base::logf;

}  // namespace

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
  alarm_.fire = on_alarm;
  alarm_.arg = this;
  return true;
}

void Supervisor::want() {
  if (state_ == State::Stopped) spawn();
}

void Supervisor::spawn() {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) {
    logf(Level::Error, "vscode: pipe: %s", strerror(errno));
    return;
  }
  unlink(socket_.c_str());
  std::vector<std::string> args = launch_.argv;
  args.push_back("--socket-path");
  args.push_back(socket_);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(&a[0]);
  argv.push_back(nullptr);
  std::string tmpdir = "TMPDIR=" + dir_;  // its ipc sockets go with the directory
  pid_t pid = fork();
  if (pid < 0) {
    logf(Level::Error, "vscode: fork: %s", strerror(errno));
    close(pipefd[0]);
    close(pipefd[1]);
    return;
  }
  if (pid == 0) {
    // The child: own session (so the group can be signalled as one), signals
    // as the default, output into the pipe.
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    dup2(pipefd[1], STDOUT_FILENO);
    dup2(pipefd[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    putenv(&tmpdir[0]);
    execvp(argv[0], argv.data());
    dprintf(STDERR_FILENO, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(pipefd[1]);
  out_fd_ = pipefd[0];
  fcntl(out_fd_, F_SETFL, fcntl(out_fd_, F_GETFL) | O_NONBLOCK);
  loop_->add(out_fd_, this, EPOLLIN);
  pid_ = pid;
  state_ = State::Starting;
  started_ms_ = loop_->clock().now_ms();
  logf(Level::Info, "vscode: started %s (pid %d)", launch_.argv[0].c_str(), static_cast<int>(pid));
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
    state_ = State::Ready;
    logf(Level::Info, "vscode: ready after %lld ms", static_cast<long long>(now - started_ms_));
    return;
  }
  if (now - started_ms_ > kStartLimitMs) {
    logf(Level::Error, "vscode: not ready after %lld s; stopping it", static_cast<long long>(kStartLimitMs / 1000));
    kill(-pid_, SIGKILL);  // reap() plans the next try
    return;
  }
  loop_->arm(&alarm_, now + kPollMs);
}

void Supervisor::on_alarm(void* self) {
  auto* s = static_cast<Supervisor*>(self);
  if (s->state_ == State::Starting) s->check_ready();
  else if (s->state_ == State::Backoff) s->spawn();
}

void Supervisor::reap() {
  int status;
  pid_t pid;
  // Bounded: portico has one child, plus whatever it inherited.
  for (int i = 0; i < 64 && (pid = waitpid(-1, &status, WNOHANG)) > 0; i++) {
    if (pid != pid_) continue;
    forward_lines(true);
    int64_t now = loop_->clock().now_ms();
    if (WIFEXITED(status)) logf(Level::Warn, "vscode: exited with status %d", WEXITSTATUS(status));
    else logf(Level::Warn, "vscode: killed by signal %d", WTERMSIG(status));
    kill(-pid_, SIGTERM);  // what is left of its group
    pid_ = -1;
    if (now - started_ms_ > kHealthyMs) backoff_ms_ = 1000;
    state_ = State::Backoff;
    logf(Level::Info, "vscode: restarting in %lld ms", static_cast<long long>(backoff_ms_));
    loop_->arm(&alarm_, now + backoff_ms_);
    backoff_ms_ = std::min(backoff_ms_ * 2, kMaxBackoffMs);
  }
}

void Supervisor::on_event(uint32_t) {
  size_t room = sizeof line_ - line_len_;
  ssize_t n = read(out_fd_, line_ + line_len_, room);
  if (n > 0) {
    line_len_ += static_cast<size_t>(n);
    forward_lines(false);
    return;
  }
  if (n == 0 || (errno != EAGAIN && errno != EINTR)) {  // the server closed its output
    forward_lines(true);
    loop_->remove(out_fd_);
    close(out_fd_);
    out_fd_ = -1;
  }
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
  if (pid_ > 0) {
    // The whole group: the server and its children (extension host, pty
    // host, file watcher, the terminals' shells).
    pid_t group = pid_;
    kill(-group, SIGTERM);
    bool leader_gone = false;
    for (int waited = 0; waited < grace_ms; waited += 50) {
      if (!leader_gone && waitpid(group, nullptr, WNOHANG) == group) leader_gone = true;
      if (leader_gone && kill(-group, 0) != 0) break;
      usleep(50 * 1000);
    }
    if (kill(-group, 0) == 0) {
      logf(Level::Warn, "vscode: still running after %d ms; SIGKILL", grace_ms);
      kill(-group, SIGKILL);
    }
    if (!leader_gone) waitpid(group, nullptr, 0);
    pid_ = -1;
  }
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
