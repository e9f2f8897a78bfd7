// SPDX-License-Identifier: MIT
// pool — fixed-size byte chunks for connection buffers, reserved once.
//
// The whole pool is one anonymous mapping made at start-up; the kernel backs a
// page only once it is written, so an idle portico costs what it touches, not
// what it may need at peak.  Chunks are lent to a connection while it holds
// unparsed input or unsent output and come back as soon as it does not, so an
// idle keep-alive or WebSocket connection holds no buffer at all.
//
// Free chunks form a LIFO stack: the chunk lent next is the one returned last,
// still warm in cache and in RAM.  trim() gives the pages of chunks deep in the
// stack back to the kernel (MADV_DONTNEED) after a burst, off the hot path.
#pragma once

#include <cstddef>
#include <cstdint>

namespace base {

class ChunkPool {
 public:
  ChunkPool() = default;
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;
  ~ChunkPool();

  // Reserves `count` chunks of `chunk_size` bytes (rounded up to a page).
  // Returns false (errno set) when the mapping fails.  Call once.
  bool init(size_t chunk_size, size_t count);

  // A chunk of chunk_size() bytes, or nullptr when all are lent.  Its contents
  // are whatever the previous borrower left.
  char* acquire();
  // Returns a chunk obtained from acquire().  MUST NOT be called twice.
  void release(char* chunk);

  // Drops the RAM behind free chunks beyond the `keep` most recently used.
  void trim(size_t keep);

  size_t chunk_size() const { return chunk_size_; }
  size_t in_use() const { return count_ - free_top_; }
  size_t capacity() const { return count_; }

 private:
  char* base_ = nullptr;
  size_t chunk_size_ = 0;
  size_t count_ = 0;
  uint32_t* free_ = nullptr;    // stack of free chunk indices
  size_t free_top_ = 0;         // number of entries in free_
  uint8_t* dirty_ = nullptr;    // per chunk: touched since the last trim
  size_t map_len_ = 0;
};

}  // namespace base
