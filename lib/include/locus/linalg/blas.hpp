// locus/linalg/blas.hpp: which kernels the system BLAS runs.
//
// Debian's OpenBLAS is a DYNAMIC_ARCH build: it picks its kernels for the CPU when it is loaded,
// or takes them from OPENBLAS_CORETYPE when that is set. The speed of every double product and of
// LAPACK depends on that choice (on the AVX-512 machine of docs/benchmarks.md a 1983 × 1983 DGEMM
// takes 120 ms with the "Haswell" AVX2 kernels and 72 ms with "SkylakeX"), so `locus --build-info`
// and the benchmarks print it. Results in balls and exact arithmetic do not depend on it (every
// bound holds for any summation order); double results may differ in their last bits.
#pragma once

#include <string>

namespace locus {

/// The kernels the loaded BLAS runs: OpenBLAS's core name (e.g. "Haswell", "SkylakeX"), or
/// "unknown" when the BLAS is not OpenBLAS (looked up at run time, so any BLAS links). Does not
/// throw.
std::string blas_kernels();

}  // namespace locus
