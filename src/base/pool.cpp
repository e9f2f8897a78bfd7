// SPDX-License-Identifier: MIT
#include "base/pool.h"

#include <sys/mman.h>
#include <unistd.h>

namespace base {

ChunkPool::~ChunkPool() {
  if (base_ != nullptr) munmap(base_, map_len_);
}

bool ChunkPool::init(size_t chunk_size, size_t count) {
  size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
  chunk_size_ = (chunk_size + page - 1) / page * page;
  count_ = count;
  // Bookkeeping lives in the same mapping, after the chunks: one reservation,
  // one owner, nothing for the allocator to fragment.
  size_t data_len = chunk_size_ * count;
  size_t meta_len = count * sizeof(uint32_t) + count;
  map_len_ = data_len + (meta_len + page - 1) / page * page;
  void* p = mmap(nullptr, map_len_, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return false;
  base_ = static_cast<char*>(p);
  free_ = reinterpret_cast<uint32_t*>(base_ + data_len);
  dirty_ = reinterpret_cast<uint8_t*>(free_ + count);
  // Lowest index on top, so a quiet server keeps reusing the first chunks.
  for (size_t i = 0; i < count; i++) free_[i] = static_cast<uint32_t>(count - 1 - i);
  free_top_ = count;
  return true;
}

char* ChunkPool::acquire() {
  if (free_top_ == 0) return nullptr;
  uint32_t i = free_[--free_top_];
  dirty_[i] = 1;
  return base_ + static_cast<size_t>(i) * chunk_size_;
}

void ChunkPool::release(char* chunk) {
  size_t i = static_cast<size_t>(chunk - base_) / chunk_size_;
  free_[free_top_++] = static_cast<uint32_t>(i);
}

void ChunkPool::trim(size_t keep) {
  // free_[free_top_ - 1] is the next to be lent; the bottom of the stack is coldest.
  for (size_t k = 0; k + keep < free_top_; k++) {
    uint32_t i = free_[k];
    if (!dirty_[i]) continue;
    dirty_[i] = 0;
    madvise(base_ + static_cast<size_t>(i) * chunk_size_, chunk_size_, MADV_DONTNEED);
  }
}

}  // namespace base
