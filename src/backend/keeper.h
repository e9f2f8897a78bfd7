// SPDX-License-Identifier: MIT
// keeper — the process between portico and the VS Code server, whose exit
// means that everything the server started is gone.
//
// portico forks it (no exec: it is a few pages of portico's own); it names
// itself portico-keeper, becomes a subreaper and starts the server in a
// session of its own.  Whatever the server starts then stays below the
// keeper, however it forks, detaches or changes its session (see tree.h),
// so the keeper can end it all:
//   - asked to (SIGTERM, SIGINT or SIGHUP from portico): SIGTERM to the
//     server's process group, `grace_ms` for it to exit;
//   - when the server has exited, asked or not: SIGTERM to everything it
//     left (a terminal's `sleep 1000 &`, a daemon), a second for it to go;
//   - then SIGKILL to whatever is left below, again for anything that
//     appears, until nothing is (end_all_below_self), and exits;
//   - when portico dies, however it dies (PR_SET_PDEATHSIG): as if asked.
// Its exit status is the server's: its exit code, or 128 + the signal that
// killed it (the shell's convention); see server_status().
#pragma once

#include <sys/types.h>

namespace backend {

struct KeeperArgs {
  char* const* argv;   // the server's program and arguments, NULL-terminated
  char* const* envp;   // its environment
  int out_fd;          // its stdout and stderr (and the keeper's)
  int grace_ms;        // between asking the server to go and SIGKILL
};

// Forks the keeper; its pid, or -1 with errno.  Everything `a` points to
// is made before the fork: the child allocates nothing.
pid_t start_keeper(const KeeperArgs& a);

// What the keeper's wait status says of the server: true with the server's
// exit code or signal in `code`/`signal` (one of them non-zero, or both 0);
// false when the keeper itself was killed (what it kept may be left).
bool server_status(int keeper_status, int* code, int* signal);

}  // namespace backend
