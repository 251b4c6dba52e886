// The double GEMMs of the CRT products (scalar/crt_dgemm.hpp).
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

#include "scalar/crt_dgemm.hpp"

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

}  // namespace locus::detail
