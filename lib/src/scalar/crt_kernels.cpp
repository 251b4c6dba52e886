// The double GEMMs of the CRT products (scalar/crt_kernels.hpp).
//
// This file's Eigen lives in the namespace locus_crt_eigen: when the file is compiled for AVX-512
// (lib/CMakeLists.txt), every Eigen template it instantiates differs from the AVX2 one the rest of
// locus instantiates under the same name. Under one name the linker would keep either copy for
// every caller, an ODR violation; under its own name each keeps its own. Nothing of Eigen is
// visible outside this file, and nothing else may be included before Eigen here.
// GCC 12's own AVX-512 intrinsics (_mm512_extractf64x4_pd, used by Eigen's reductions) set off
// -Wmaybe-uninitialized on a deliberately undefined vector (`__m256d __Y = __Y;` in its header).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define Eigen locus_crt_eigen  // NOLINT: renames this translation unit's Eigen, see above
#include <Eigen/Core>
#undef Eigen

#include <cmath>
#include <cstdint>

#include "scalar/crt_kernels.hpp"

namespace locus::detail {

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
               bool accumulate) {
  namespace E = ::locus_crt_eigen;
  using Stride = E::OuterStride<>;
  using ColMajor = E::Matrix<double, E::Dynamic, E::Dynamic, E::ColMajor>;
  using RowMajor = E::Matrix<double, E::Dynamic, E::Dynamic, E::RowMajor>;
  const E::Map<const ColMajor, 0, Stride> bm(b, k, n, Stride(ldb));
  E::Map<ColMajor, 0, Stride> cm(c, m, n, Stride(ldc));
  const auto run = [&](const auto& am) {
    if (accumulate) {
      cm.noalias() += am * bm;
    } else {
      cm.noalias() = am * bm;
    }
  };
  if (a_row_major) {
    run(E::Map<const RowMajor, 0, Stride>(a, m, k, Stride(lda)));
  } else {
    run(E::Map<const ColMajor, 0, Stride>(a, m, k, Stride(lda)));
  }
}

namespace {

// x mod q in [0, q) for an integer-valued double with |x| <= 2^53 - 8 (q < 2^26, qinv = fl(1/q)):
// ⌊x·qinv⌋ is within one of ⌊x/q⌋, q·⌊x·qinv⌋ is an integer below 2^53 (exact), so the
// difference is exact and lies in [-q, 2q); one correction each way. Selects of values computed
// first, not branches: with -fno-trapping-math (lib/CMakeLists.txt) the loops below vectorise
// (the residues are random, so branches would mispredict half the time).
inline double mod_q(double x, double q, double qinv) {
  double r = x - q * std::floor(x * qinv);
  const double up = r + q;
  r = r < 0 ? up : r;
  const double down = r - q;
  return r >= q ? down : r;
}

}  // namespace

void symmetric_residues(const double* __restrict in,
                        const double* __restrict sign,
                        std::ptrdiff_t len,
                        double q,
                        double qinv,
                        std::int32_t* __restrict out) {
  const double half = std::floor(q / 2);
#ifdef _OPENMP
#pragma omp simd
#endif
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    double v = mod_q(in[i], q, qinv) * sign[i];  // (-q, q)
    const double up = v + q, down = v - q;
    v = v < -half ? up : v;
    v = v > half ? down : v;
    out[i] = static_cast<std::int32_t>(v);
  }
}

void weighted_residues(const double* __restrict in,
                       std::ptrdiff_t len,
                       double q,
                       double qinv,
                       double y,
                       std::int32_t* __restrict out) {
#ifdef _OPENMP
#pragma omp simd
#endif
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    const double u = mod_q(in[i], q, qinv);
    out[i] = static_cast<std::int32_t>(mod_q(u * y, q, qinv));  // u·y < 2^52: exact
  }
}

void product_residues(const std::int32_t* __restrict x,
                      const std::int32_t* __restrict y,
                      std::ptrdiff_t len,
                      double q,
                      double qinv,
                      double* __restrict out) {
  const double half = std::floor(q / 2);
#ifdef _OPENMP
#pragma omp simd
#endif
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    // |x·y| <= ((q - 1)/2)² < 2^50: exact
    const double v = mod_q(static_cast<double>(x[i]) * static_cast<double>(y[i]), q, qinv);
    const double down = v - q;
    out[i] = v > half ? down : v;
  }
}

namespace {

// io[i]·x[i]·y[i] (with_y) or io[i]·x[i] modulo q, symmetric, in place
template <bool kWithY>
void hadamard_loop(double* __restrict io,
                   const std::int32_t* __restrict x,
                   const std::int32_t* __restrict y,
                   std::ptrdiff_t len,
                   double q,
                   double qinv) {
  const double half = std::floor(q / 2);
#ifdef _OPENMP
#pragma omp simd
#endif
  for (std::ptrdiff_t i = 0; i < len; ++i) {
    // every product below is an integer below 2^52: exact
    const double u = mod_q(io[i], q, qinv);
    double v = static_cast<double>(x[i]);
    if constexpr (kWithY) v = mod_q(v * static_cast<double>(y[i]), q, qinv);
    const double w = mod_q(u * v, q, qinv);
    const double down = w - q;
    io[i] = w > half ? down : w;
  }
}

}  // namespace

void hadamard_residues(double* __restrict io,
                       const std::int32_t* __restrict x,
                       const std::int32_t* __restrict y,
                       std::ptrdiff_t len,
                       double q,
                       double qinv) {
  if (y != nullptr) {
    hadamard_loop<true>(io, x, y, len, q, qinv);
  } else {
    hadamard_loop<false>(io, x, nullptr, len, q, qinv);
  }
}

}  // namespace locus::detail
