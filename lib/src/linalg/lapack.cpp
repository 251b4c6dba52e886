// Symmetric eigenvalues in double through LAPACK (dsyevd by LAPACKE, on the system's BLAS: Debian's
// OpenBLAS where it is installed), the double overload of symmetric_eigen's backend
// (dense_impl.hpp). Eigen's own solver is single-threaded and about four times slower at P = 5514
// (docs/benchmarks.md). Also which kernels the BLAS runs (locus/linalg/blas.hpp).
#include "linalg/lapack.hpp"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <vector>

#include "linalg/dense_impl.hpp"

#include "locus/linalg/blas.hpp"

#include <dlfcn.h>
#include <lapacke.h>
#include <strings.h>

namespace locus {

namespace detail {

DsyevdStatus dsyevd_in_place(Eigen::MatrixXd& a,
                             bool vectors,
                             Eigen::VectorXd& w,
                             std::unique_ptr<double[]>* keep_work) {
  const Eigen::Index n = a.rows();
  const double dn = static_cast<double>(n);
  const double least = vectors ? 2.0 * dn * dn + 6.0 * dn + 1.0 : 2.0 * dn + 1.0;
  if (least > static_cast<double>(std::numeric_limits<lapack_int>::max())) {
    return DsyevdStatus::TooLarge;
  }
  w.resize(n);
  const char jobz = vectors ? 'V' : 'N';
  const auto nn = static_cast<lapack_int>(n);
  const auto lda = static_cast<lapack_int>(std::max<Eigen::Index>(1, a.outerStride()));
  double query = 0;
  lapack_int iquery = 0;
  lapack_int info = LAPACKE_dsyevd_work(
      LAPACK_COL_MAJOR, jobz, 'L', nn, a.data(), lda, w.data(), &query, -1, &iquery, -1);
  const auto lwork = static_cast<lapack_int>(std::max(query, least));
  const lapack_int liwork = std::max<lapack_int>(iquery, vectors ? 5 * nn + 3 : 1);
  std::unique_ptr<double[]> work(new double[static_cast<std::size_t>(lwork)]);
  std::vector<lapack_int> iwork(static_cast<std::size_t>(liwork));
  if (info == 0) {
    info = LAPACKE_dsyevd_work(LAPACK_COL_MAJOR,
                               jobz,
                               'L',
                               nn,
                               a.data(),
                               lda,
                               w.data(),
                               work.get(),
                               lwork,
                               iwork.data(),
                               liwork);
  }
  if (keep_work != nullptr) *keep_work = std::move(work);
  // info < 0: an argument was wrong (a bug here); info > 0: the algorithm did not converge
  return info == 0 ? DsyevdStatus::Ok : DsyevdStatus::NotConverged;
}

}  // namespace detail

void symmetric_eigen_backend(const Mat<double>& a,
                             bool compute_vectors,
                             SymmetricEigen<double>& out) {
  // dsyevd overwrites its input with the eigenvectors (jobz = 'V')
  Mat<double> work = a;
  Vec<double> w;
  out.converged = detail::dsyevd_in_place(work, compute_vectors, w) == detail::DsyevdStatus::Ok;
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
