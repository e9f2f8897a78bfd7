// SPDX-License-Identifier: MIT
// readiness — tell the supervisor portico is serving (s6's notification-fd).
#pragma once

#include <string_view>

namespace sys {

// Writes "listening ADDRESS\n" to `fd` and closes it.  s6 reads up to the
// newline and ignores the text; tests read the bound port from it.  Returns
// false (errno set) if the write failed; the fd is closed either way.
bool notify_ready(int fd, std::string_view address);

}  // namespace sys
