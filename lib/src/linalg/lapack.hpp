// LAPACK's symmetric eigensolver (dsyevd) in double, shared by symmetric_eigen's double backend
// and the ball-cluster certificate (lib/src/linalg/lapack.cpp).
#ifndef LOCUS_SRC_LINALG_LAPACK_HPP_
#define LOCUS_SRC_LINALG_LAPACK_HPP_

#include <memory>

#include <Eigen/Dense>

namespace locus::detail {

// What dsyevd_in_place answered.
enum class DsyevdStatus { Ok, NotConverged, TooLarge };

// dsyevd on the symmetric matrix a (its lower triangle is read), in place: the eigenvalues
// (ascending) into w and, when `vectors`, the eigenvectors into a's columns. When keep_work is
// given, dsyevd's workspace (at least 2n² + 6n + 1 doubles with vectors) is handed to the caller
// for later matrices instead of being freed. TooLarge: the workspace does not fit LAPACK's 32-bit
// sizes (n above about 32 000), and nothing was computed.
DsyevdStatus dsyevd_in_place(Eigen::MatrixXd& a,
                             bool vectors,
                             Eigen::VectorXd& w,
                             std::unique_ptr<double[]>* keep_work = nullptr);

}  // namespace locus::detail

#endif  // LOCUS_SRC_LINALG_LAPACK_HPP_
