// SPDX-License-Identifier: MIT
#include <doctest/doctest.h>

#include <set>

#include "base/pool.h"

TEST_CASE("ChunkPool lends each chunk once and reuses the last returned first") {
  base::ChunkPool pool;
  REQUIRE(pool.init(5000, 3));
  CHECK(pool.chunk_size() % 4096 == 0);
  CHECK(pool.chunk_size() >= 5000);
  std::set<char*> seen;
  char* a = pool.acquire();
  char* b = pool.acquire();
  char* c = pool.acquire();
  seen = {a, b, c};
  CHECK(seen.size() == 3);
  CHECK(pool.acquire() == nullptr);
  CHECK(pool.in_use() == 3);
  a[pool.chunk_size() - 1] = 'x';  // the whole chunk is writable
  pool.release(b);
  CHECK(pool.acquire() == b);
  pool.release(a);
  pool.release(b);
  pool.release(c);
  CHECK(pool.in_use() == 0);
  pool.trim(0);  // gives the pages back; the chunks stay usable
  char* d = pool.acquire();
  CHECK(d == c);
  d[0] = 'y';
  CHECK(d[0] == 'y');
}
