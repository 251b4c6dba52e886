// Large blocks kept for reuse (locus/scalar/block_pool.hpp).
#include "locus/scalar/block_pool.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include <sys/mman.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define LOCUS_POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define LOCUS_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define LOCUS_POISON(p, n) static_cast<void>(0)
#define LOCUS_UNPOISON(p, n) static_cast<void>(0)
#endif

namespace locus::detail {
namespace {

constexpr std::size_t kHeader = 64;                    // before the caller's bytes; keeps alignment
constexpr std::size_t kSmall = std::size_t{64} << 10;  // below: plain malloc, not kept
constexpr std::size_t kHuge = std::size_t{2} << 20;    // from here: 2 MiB aligned, THP hint
constexpr std::size_t kCap = std::size_t{1} << 30;     // most bytes kept at once

// Written at the start of every block; the caller's pointer is kHeader bytes after it.
struct Header {
  std::size_t capacity;  // bytes of the whole allocation, header included
  bool pooled;
};
static_assert(sizeof(Header) <= kHeader);

std::size_t round_up(std::size_t n, std::size_t to) {
  return (n + to - 1) / to * to;
}

class Pool {
 public:
  void* take(std::size_t bytes) {
    if (bytes > std::numeric_limits<std::size_t>::max() - kHuge - kHeader) throw std::bad_alloc();
    const std::size_t total = round_up(bytes + kHeader, kHeader);
    if (total < kSmall) return finish(allocate(total, kHeader), total, false);
    const std::size_t rounded = round_up(total, total >= kHuge ? kHuge : kSmall);
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      // the smallest kept block that fits, unless it is more than twice the request
      auto best = free_.end();
      for (auto it = free_.begin(); it != free_.end(); ++it) {
        if (it->second >= rounded && it->second <= 2 * rounded &&
            (best == free_.end() || it->second < best->second)) {
          best = it;
        }
      }
      if (best != free_.end()) {
        void* base = best->first;
        const std::size_t capacity = best->second;
        held_ -= capacity;
        free_.erase(best);
        LOCUS_UNPOISON(static_cast<char*>(base) + kHeader, capacity - kHeader);
        return static_cast<char*>(base) + kHeader;
      }
    }
    void* base = allocate(rounded, rounded >= kHuge ? kHuge : kHeader);
    if (rounded >= kHuge) madvise(base, rounded, MADV_HUGEPAGE);
    return finish(base, rounded, true);
  }

  void give(void* p) noexcept {
    if (p == nullptr) return;
    void* base = static_cast<char*>(p) - kHeader;
    const Header h = *static_cast<const Header*>(base);
    if (h.pooled && h.capacity <= kCap) {
      std::vector<void*> drop;
      {
        const std::lock_guard<std::mutex> lock(mutex_);
        try {
          free_.emplace_back(base, h.capacity);
          held_ += h.capacity;
          LOCUS_POISON(p, h.capacity - kHeader);
          while (held_ > kCap) {  // the oldest blocks go first
            held_ -= free_.front().second;
            LOCUS_UNPOISON(static_cast<char*>(free_.front().first) + kHeader,
                           free_.front().second - kHeader);
            std::free(free_.front().first);  // NOLINT: from aligned_alloc
            free_.erase(free_.begin());
          }
          return;
        } catch (...) {  // the list could not grow: free the block instead
        }
      }
    }
    std::free(base);  // NOLINT: from aligned_alloc
  }

  std::size_t release() noexcept {
    const std::lock_guard<std::mutex> lock(mutex_);
    const std::size_t released = held_;
    for (auto& [base, capacity] : free_) {
      LOCUS_UNPOISON(static_cast<char*>(base) + kHeader, capacity - kHeader);
      std::free(base);  // NOLINT: from aligned_alloc
    }
    free_.clear();
    held_ = 0;
    return released;
  }

 private:
  static void* allocate(std::size_t bytes, std::size_t alignment) {
    void* base = std::aligned_alloc(alignment, bytes);
    if (base == nullptr) throw std::bad_alloc();
    return base;
  }
  static void* finish(void* base, std::size_t capacity, bool pooled) {
    *static_cast<Header*>(base) = Header{capacity, pooled};
    return static_cast<char*>(base) + kHeader;
  }

  std::mutex mutex_;
  std::vector<std::pair<void*, std::size_t>> free_;  // (block, capacity), oldest first
  std::size_t held_ = 0;
};

// Never destroyed: matrices with static storage duration may return their blocks after every
// other static object is gone. The kept blocks stay reachable from here until the process ends.
Pool& pool() {
  static Pool* const p = new Pool;  // NOLINT: deliberately leaked
  return *p;
}

}  // namespace

void* take_block(std::size_t bytes) {
  return pool().take(bytes);
}
void give_block(void* p) noexcept {
  pool().give(p);
}
std::size_t release_pooled_blocks() noexcept {
  return pool().release();
}

}  // namespace locus::detail
