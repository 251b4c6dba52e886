// Symmetric eigenvalues in double through LAPACK (dsyevd by LAPACKE, on the system's BLAS: Debian's
// OpenBLAS where it is installed), the double overload of symmetric_eigen's backend
// (dense_impl.hpp). Eigen's own solver is single-threaded and about four times slower at P = 5514
// (docs/benchmarks.md). Also which kernels the BLAS runs (locus/linalg/blas.hpp).
#include <cstdlib>

#include "linalg/dense_impl.hpp"

#include "locus/linalg/blas.hpp"

#include <dlfcn.h>
#include <lapacke.h>
#include <strings.h>

namespace locus {

void symmetric_eigen_backend(const Mat<double>& a,
                             bool compute_vectors,
                             SymmetricEigen<double>& out) {
  const Eigen::Index n = a.rows();
  // dsyevd overwrites its input with the eigenvectors (jobz = 'V') and reads the lower triangle
  Mat<double> work = a;
  Vec<double> w(n);
  const lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR,
                                         compute_vectors ? 'V' : 'N',
                                         'L',
                                         static_cast<lapack_int>(n),
                                         work.data(),
                                         static_cast<lapack_int>(work.outerStride()),
                                         w.data());
  // info < 0: an argument was wrong (a bug here); info > 0: the algorithm did not converge
  out.converged = info == 0;
  out.values = std::move(w);
  if (compute_vectors) out.vectors = std::move(work);
}

// ---- which kernels OpenBLAS runs (locus/linalg/blas.hpp) ---------------------------------------
// Looked up at run time (dlsym), so that another BLAS links and runs too.
std::string blas_kernels() {
  using CoreName = char* (*)();
  void* symbol = dlsym(RTLD_DEFAULT, "openblas_get_corename");
  if (symbol == nullptr) return "unknown";
  const char* name = reinterpret_cast<CoreName>(symbol)();
  return name != nullptr ? std::string(name) : "unknown";
}

}  // namespace locus
