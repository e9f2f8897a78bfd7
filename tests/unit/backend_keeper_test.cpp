// SPDX-License-Identifier: MIT
// The keeper and the process tree, with real processes: a "server" (sh)
// that leaves behind what VS Code's terminals leave (a job in its own
// session, a process that ignores SIGTERM, a daemon that forked twice),
// ended every way a server ends: asked, by its own exit, by portico's
// death, and with the keeper itself killed.
#include <doctest/doctest.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "backend/keeper.h"
#include "backend/tree.h"

extern char** environ;

namespace {

int64_t mono_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// What the server script leaves: three processes beyond its own group's
// reach, each announced on its output as "NAME PID".
const char* kLeaves =
    "setsid sleep 1001 & echo \"session $!\"\n"
    "sh -c 'trap \"\" TERM; exec sleep 1002' & echo \"stubborn $!\"\n"
    "sh -c 'setsid sh -c \"sleep 1003 & echo daemon \\$!\"'\n";

struct Run {
  pid_t keeper = -1;
  int out = -1;
  std::vector<pid_t> left;   // the three, once announced
};

// Starts a keeper for `sh -c kLeaves + tail` and reads the three pids (in
// at most 10 s).  Run from `portico`'s place: the caller is the parent.
Run start(const std::string& tail) {
  static std::string script;
  script = std::string(kLeaves) + tail;
  static char sh[] = "sh", dash_c[] = "-c";
  static char* argv[4];
  argv[0] = sh;
  argv[1] = dash_c;
  argv[2] = &script[0];
  argv[3] = nullptr;
  int p[2];
  REQUIRE(pipe2(p, O_CLOEXEC) == 0);
  Run r;
  r.keeper = backend::start_keeper(backend::KeeperArgs{argv, environ, p[1], 2000});
  close(p[1]);
  REQUIRE(r.keeper > 0);
  r.out = p[0];
  std::string text;
  for (int64_t end = mono_ms() + 10000; r.left.size() < 3 && mono_ms() < end;) {
    pollfd pf{r.out, POLLIN, 0};
    if (poll(&pf, 1, 200) <= 0) continue;
    char buf[256];
    ssize_t n = read(r.out, buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<size_t>(n));
    r.left.clear();
    for (const char* name : {"session ", "stubborn ", "daemon "}) {
      size_t at = text.find(name);
      if (at != std::string::npos && text.find('\n', at) != std::string::npos) {
        r.left.push_back(static_cast<pid_t>(atoi(text.c_str() + at + strlen(name))));
      }
    }
  }
  REQUIRE_MESSAGE(r.left.size() == 3, "the server's output: " << text);
  return r;
}

bool alive(pid_t pid) { return kill(pid, 0) == 0; }

// Waits (SIGCHLD blocked; at most `ms`) for `pid`, a child, to exit.
bool wait_exit(pid_t pid, int64_t ms, int* status) {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (int64_t end = mono_ms() + ms; mono_ms() < end;) {
    if (waitpid(pid, status, WNOHANG) == pid) return true;
    timespec wait{0, 50 * 1000000};
    sigtimedwait(&chld, nullptr, &wait);
  }
  return false;
}

// The caller is portico's stand-in: a subreaper with SIGCHLD blocked.
void be_portico() {
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, nullptr);
  REQUIRE(prctl(PR_SET_CHILD_SUBREAPER, 1) == 0);
}

}  // namespace

TEST_CASE("keeper: asked to stop, it ends the server and everything it left, then exits with the server's status") {
  be_portico();
  Run r = start("exec sleep 1000\n");
  backend::Tree t;
  REQUIRE(t.scan(r.keeper));
  CHECK(t.below() >= 4);   // the server and the three
  backend::Tree::Usage u = t.usage(r.keeper);
  CHECK(u.processes >= 5);
  CHECK(u.rss_kib > 0);
  for (pid_t p : r.left) CHECK(alive(p));
  REQUIRE(kill(r.keeper, SIGTERM) == 0);
  int st = 0;
  REQUIRE(wait_exit(r.keeper, 10000, &st));
  int code, sig;
  CHECK(backend::server_status(st, &code, &sig));
  CHECK(sig == SIGTERM);   // the server (sleep) was asked
  for (pid_t p : r.left) CHECK_MESSAGE(!alive(p), "pid " << p << " survived");
  close(r.out);
}

TEST_CASE("keeper: a server that exits by itself takes what it left with it; its code is passed on") {
  be_portico();
  Run r = start("exit 3\n");
  int st = 0;
  REQUIRE(wait_exit(r.keeper, 10000, &st));
  int code, sig;
  CHECK(backend::server_status(st, &code, &sig));
  CHECK(code == 3);
  CHECK(sig == 0);
  for (pid_t p : r.left) CHECK_MESSAGE(!alive(p), "pid " << p << " survived");
  close(r.out);
}

TEST_CASE("keeper: when portico dies, however it dies, the keeper ends the tree") {
  be_portico();
  int p[2];
  REQUIRE(pipe(p) == 0);
  pid_t portico = fork();
  REQUIRE(portico >= 0);
  if (portico == 0) {  // a portico that starts a keeper, says its pids, and is then killed
    Run r = start("exec sleep 1000\n");
    pid_t all[4] = {r.keeper, r.left[0], r.left[1], r.left[2]};
    (void)!write(p[1], all, sizeof all);
    pause();
    _exit(0);
  }
  close(p[1]);
  pid_t all[4] = {};
  REQUIRE(read(p[0], all, sizeof all) == sizeof all);
  close(p[0]);
  REQUIRE(kill(portico, SIGKILL) == 0);
  int st = 0;
  REQUIRE(wait_exit(portico, 5000, &st));
  // The keeper was portico's child; it is ours now (a subreaper), and it
  // exits once it has ended the tree.
  REQUIRE(wait_exit(all[0], 10000, &st));
  int code, sig;
  CHECK(backend::server_status(st, &code, &sig));
  for (int i = 1; i < 4; i++) CHECK_MESSAGE(!alive(all[i]), "pid " << all[i] << " survived");
}

TEST_CASE("keeper killed: its tree comes to the subreaper above, which ends all of it and spares nothing else") {
  be_portico();
  Run r = start("exec sleep 1000\n");
  pid_t unrelated = fork();   // not below the keeper: a Tree of the keeper never signals it
  REQUIRE(unrelated >= 0);
  if (unrelated == 0) {
    pause();
    _exit(0);
  }
  backend::Tree t;
  REQUIRE(t.scan(r.keeper));
  for (pid_t p : r.left) CHECK(t.has(p));
  // The server and the three it left at least (the shells between a daemon
  // and the server may still be exiting: those are gone, not signalled).
  CHECK(t.signal(0) >= 4);
  REQUIRE(t.scan(getpid()));
  CHECK(t.has(r.keeper));
  t.spare(r.keeper);
  CHECK(t.has(unrelated));
  CHECK_FALSE(t.has(r.keeper));
  for (pid_t p : r.left) CHECK_FALSE(t.has(p));
  REQUIRE(kill(r.keeper, SIGKILL) == 0);
  int st = 0;
  REQUIRE(wait_exit(r.keeper, 5000, &st));
  int code, sig;
  CHECK_FALSE(backend::server_status(st, &code, &sig));   // what the keeper kept may be left...
  for (pid_t p : r.left) CHECK(alive(p));                  // ...and is
  CHECK(backend::end_all_below_self(5000));
  for (pid_t p : r.left) CHECK_MESSAGE(!alive(p), "pid " << p << " survived");
  CHECK(!alive(unrelated));  // below us too: end_all_below_self means all
  close(r.out);
}
