// scalar/crt_kernels.hpp (internal): the double-precision kernels of the CRT products
// (scalar/crt_gemm.cpp): the GEMMs and the reductions modulo the primes.
//
// These kernels are most of the products' arithmetic, and their results do not depend on the
// instruction set: the GEMMs' results are exact (integer sums below 2^53) or bounded for any
// summation order (sums of nonnegative terms), and the reductions are exact. So they may use the
// widest vector unit the machine has. The rest of locus is compiled without AVX-512 (Eigen's heap
// alignment follows the instruction set and must agree between translation units,
// lib/CMakeLists.txt); crt_kernels.cpp is compiled with it where a configure-time probe finds it
// faster (cmake/LocusAvx512.cmake), and keeps its copy of Eigen in a namespace of its own, so that
// no Eigen function compiled for AVX-512 can stand in for the one the rest of locus uses. Only raw
// pointers cross this interface.
#ifndef LOCUS_SRC_SCALAR_CRT_KERNELS_HPP_
#define LOCUS_SRC_SCALAR_CRT_KERNELS_HPP_

#include <cstddef>
#include <cstdint>

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

/// out[i] = the symmetric residue of sign[i]·in[i] modulo q, in [-(q-1)/2, (q-1)/2], for
/// integer-valued in[i] with |in[i]| <= 2^53 - 8, sign[i] = ±1, q < 2^26 odd, qinv = fl(1/q).
void symmetric_residues(const double* in,
                        const double* sign,
                        std::ptrdiff_t len,
                        double q,
                        double qinv,
                        std::int32_t* out);

/// out[i] = ((in[i] mod q)·y) mod q in [0, q), for integer-valued in[i] with |in[i]| <= 2^53 - 8
/// and 0 <= y < q < 2^26.
void weighted_residues(
    const double* in, std::ptrdiff_t len, double q, double qinv, double y, std::int32_t* out);

/// out[i] = the symmetric residue of x[i]·y[i] modulo q, in [-(q-1)/2, (q-1)/2], for symmetric
/// residues x[i], y[i] modulo the same q < 2^26 (qinv = fl(1/q)), as doubles for a GEMM.
void product_residues(const std::int32_t* x,
                      const std::int32_t* y,
                      std::ptrdiff_t len,
                      double q,
                      double qinv,
                      double* out);

/// io[i] = the symmetric residue of io[i]·x[i]·y[i] (io[i]·x[i] when y is null) modulo q, in
/// [-(q-1)/2, (q-1)/2], for integer-valued io[i] with |io[i]| <= 2^53 - 8 and symmetric residues
/// x[i], y[i] modulo the same q < 2^26 (qinv = fl(1/q)), as doubles for a GEMM.
void hadamard_residues(double* io,
                       const std::int32_t* x,
                       const std::int32_t* y,
                       std::ptrdiff_t len,
                       double q,
                       double qinv);

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_CRT_KERNELS_HPP_
