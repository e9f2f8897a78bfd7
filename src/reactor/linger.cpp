// SPDX-License-Identifier: MIT
#include "reactor/linger.h"

#include "base/pool.h"
#include "reactor/loop.h"

namespace reactor {

Flow Linger::on_readable(Conn& c) {
  // Bounded: a peer that keeps sending is cut off by the Linger timeout.
  for (int i = 0; i < 16; i++) {
    size_t n = 0;
    switch (c.read(c.loop().pool().chunk_size(), &n)) {
      case Io::Ok:
      case Io::Full:
        c.consume(c.in_len());
        continue;
      case Io::Again:
        return Flow::Keep;
      case Io::Eof:
        c.close("closed after answer");
        return Flow::Closed;
      case Io::Error:
        c.close("error after answer");
        return Flow::Closed;
    }
  }
  return Flow::Keep;
}

void Linger::on_timeout(Conn& c, Timer) { c.close("linger timeout"); }

}  // namespace reactor
