// locus/scalar/block_pool.hpp: large blocks of memory kept for reuse.
//
// A multiprecision Hessian creates dozens of matrices of a few megabytes each (an MPFR-256 entry
// is 72 bytes) and frees them again. glibc returns such blocks to the kernel at once, so every new
// matrix is first touched page by page; on the machine of docs/benchmarks.md a page fault costs
// about 10 µs, and constructing a fresh 256 x 300 MPFR matrix took 14 ms, most of a small
// Hessian's time. Blocks taken here are 64-byte aligned; blocks of 2 MiB or more are 2 MiB aligned
// and advised to use transparent huge pages (a hint). Freed blocks of 64 KiB or more are kept, at
// most 1 GiB in all (the oldest go first), for the next request of a similar size; smaller ones go
// straight back to malloc. The pool is shared by all threads and lives until the process ends.
//
// Used for the entries of dynamic Eigen matrices of MPFR numbers and balls (locus/scalar/eigen.hpp)
// and for the scratch arrays of the CRT products (lib/src/scalar/crt_gemm.cpp).
#pragma once

#include <cstddef>

namespace locus::detail {

/// A block of at least `bytes` bytes (64-byte aligned, uninitialised). Throws std::bad_alloc.
void* take_block(std::size_t bytes);
/// Returns a block from take_block (nullptr is ignored).
void give_block(void* p) noexcept;
/// Frees every block the pool keeps; returns the bytes released.
std::size_t release_pooled_blocks() noexcept;

}  // namespace locus::detail
