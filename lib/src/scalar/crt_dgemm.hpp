// scalar/crt_dgemm.hpp (internal): the double GEMMs of the CRT products (scalar/crt_gemm.cpp).
//
// The CRT products spend a quarter of their time in double GEMMs whose results are exact (integer
// sums below 2^53) or bounded for any summation order (sums of nonnegative terms), so they may use
// the widest vector unit the machine has. The rest of locus is compiled without AVX-512 (Eigen's
// heap alignment follows the instruction set and must agree between translation units,
// lib/CMakeLists.txt); crt_dgemm.cpp is compiled with it when the build machine has it, and keeps
// its copy of Eigen in a namespace of its own, so that no Eigen function compiled for AVX-512 can
// stand in for the one the rest of locus uses. Only raw pointers cross this interface.
#ifndef LOCUS_SRC_SCALAR_CRT_DGEMM_HPP_
#define LOCUS_SRC_SCALAR_CRT_DGEMM_HPP_

#include <cstddef>

namespace locus::detail {

/// C = A·B, or C += A·B when `accumulate`, for double matrices stored column-major with leading
/// dimensions lda, ldb, ldc: A is m x k (row-major when `a_row_major`), B is k x n, C is m x n.
/// Single-threaded inside an OpenMP parallel region; outside one, Eigen may use every thread.
void crt_dgemm(std::ptrdiff_t m,
               std::ptrdiff_t n,
               std::ptrdiff_t k,
               const double* a,
               std::ptrdiff_t lda,
               bool a_row_major,
               const double* b,
               std::ptrdiff_t ldb,
               double* c,
               std::ptrdiff_t ldc,
               bool accumulate);

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_CRT_DGEMM_HPP_
