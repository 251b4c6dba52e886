// Symmetric eigenvalues in double through LAPACK (dsyevd by LAPACKE, on the system's BLAS: Debian's
// OpenBLAS where it is installed), the double overload of symmetric_eigen's backend
// (dense_impl.hpp). Eigen's own solver is single-threaded and about four times slower at P = 5514
// (docs/benchmarks.md).
#include "linalg/dense_impl.hpp"

#include <lapacke.h>

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

}  // namespace locus
