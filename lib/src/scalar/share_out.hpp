// Construction and destruction of large arrays of multiprecision numbers on every thread
// (locus/scalar/eigen.hpp's pooled matrix storage): internal to the scalar layer.
#ifndef LOCUS_SRC_SCALAR_SHARE_OUT_HPP_
#define LOCUS_SRC_SCALAR_SHARE_OUT_HPP_

#include <cstddef>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus::detail {

// Arrays this large are done on every thread, when the caller is outside a parallel region (a
// multiprecision Hessian constructs and destroys millions of numbers; serially, constructing the
// MPFR-256 ones was about 7% of the main thread's time at P = 371).
inline constexpr std::size_t kShareOutEntries = 16384;

inline bool share_out(std::size_t n, std::size_t threshold = kShareOutEntries) noexcept {
#ifdef _OPENMP
  return n >= threshold && omp_in_parallel() == 0 && omp_get_max_threads() > 1;
#else
  static_cast<void>(n);
  static_cast<void>(threshold);
  return false;
#endif
}

// op(p + i) for every i < n, on every thread when share_out(n, threshold).
template <class T, class Op>
void for_each_entry(T* p, std::size_t n, Op op, std::size_t threshold = kShareOutEntries) noexcept {
  const auto count = static_cast<std::ptrdiff_t>(n);
  if (share_out(n, threshold)) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (std::ptrdiff_t i = 0; i < count; ++i) op(p + i);
  } else {
    for (std::ptrdiff_t i = 0; i < count; ++i) op(p + i);
  }
}

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_SHARE_OUT_HPP_
