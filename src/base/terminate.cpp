// SPDX-License-Identifier: MIT
// terminate — what std::terminate does in portico: one line, then abort.
//
// libstdc++'s default handler (__gnu_cxx::__verbose_terminate_handler)
// demangles the type of the exception in flight, which links its whole
// demangler, about 46 KiB, into the static binary.  portico is built
// without exceptions; terminate can only come from the library itself (an
// allocation that fails), and the name of std::bad_alloc would add nothing
// to this line.  Defining the handler here keeps the library's out.
#include <cstdlib>
#include <unistd.h>

namespace __gnu_cxx {

[[noreturn]] void __verbose_terminate_handler() {
  static const char kLine[] = "portico: fatal: terminate called (out of memory?)\n";
  ssize_t n = write(STDERR_FILENO, kLine, sizeof kLine - 1);
  (void)n;
  abort();
}

}  // namespace __gnu_cxx
