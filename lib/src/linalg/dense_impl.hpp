// Definitions of the templates declared in locus/linalg/dense.hpp. Included only by the explicit
// instantiation files lib/src/instantiate/dense_<scalar>.cpp.
#pragma once

#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"

#include <Eigen/Eigenvalues>

namespace locus {

template <class Scalar>
Vec<Scalar> ldlt_solve(const Mat<Scalar>& a, const Vec<Scalar>& b, bool* ok) {
  LOCUS_ASSERT(
      a.rows() == a.cols(), "ldlt_solve: matrix is {}x{}, expected square", a.rows(), a.cols());
  LOCUS_ASSERT(
      b.size() == a.rows(), "ldlt_solve: rhs has {} entries, expected {}", b.size(), a.rows());
  Eigen::LDLT<Mat<Scalar>> ldlt(a);
  bool good = ldlt.info() == Eigen::Success;
  if (good) {
    const Vec<Scalar> d = ldlt.vectorD();
    for (Eigen::Index i = 0; i < d.size(); ++i) {
      if (d(i) == Scalar(0)) good = false;
    }
  }
  if (ok != nullptr) *ok = good;
  if (!good) return Vec<Scalar>::Zero(a.rows());
  return ldlt.solve(b);
}

template <class Scalar>
Vec<Scalar> ldlt_diagonal(const Mat<Scalar>& a) {
  LOCUS_ASSERT(
      a.rows() == a.cols(), "ldlt_diagonal: matrix is {}x{}, expected square", a.rows(), a.cols());
  Eigen::LDLT<Mat<Scalar>> ldlt(a);
  return ldlt.vectorD();
}

template <class Scalar>
Scalar determinant(const Mat<Scalar>& a) {
  LOCUS_ASSERT(
      a.rows() == a.cols(), "determinant: matrix is {}x{}, expected square", a.rows(), a.cols());
  if (a.rows() == 0) return Scalar(1);
  Eigen::PartialPivLU<Mat<Scalar>> lu(a);
  return lu.determinant();
}

// The eigensolver behind symmetric_eigen: Eigen's SelfAdjointEigenSolver for every floating
// scalar, and LAPACK's dsyevd (through LAPACKE, on the system's BLAS) for double, by overload
// (lapack.cpp).
template <class Scalar>
void symmetric_eigen_backend(const Mat<Scalar>& a,
                             bool compute_vectors,
                             SymmetricEigen<Scalar>& out) {
  Eigen::SelfAdjointEigenSolver<Mat<Scalar>> solver(
      a, compute_vectors ? Eigen::ComputeEigenvectors : Eigen::EigenvaluesOnly);
  out.converged = solver.info() == Eigen::Success;
  out.values = solver.eigenvalues();
  if (compute_vectors) out.vectors = solver.eigenvectors();
}
void symmetric_eigen_backend(const Mat<double>& a,
                             bool compute_vectors,
                             SymmetricEigen<double>& out);

template <class Scalar>
SymmetricEigen<Scalar> symmetric_eigen(const Mat<Scalar>& a, bool compute_vectors) {
  LOCUS_ASSERT(a.rows() == a.cols(),
               "symmetric_eigen: matrix is {}x{}, expected square",
               a.rows(),
               a.cols());
  SymmetricEigen<Scalar> out;
  if (a.rows() == 0) {
    out.converged = true;
    return out;
  }
  symmetric_eigen_backend(a, compute_vectors, out);
  return out;
}

}  // namespace locus

#define LOCUS_DENSE_INSTANTIATE_ORDERED(Scalar)                                        \
  template locus::Vec<Scalar> locus::ldlt_solve<Scalar>(                               \
      const locus::Mat<Scalar>&, const locus::Vec<Scalar>&, bool*);                    \
  template locus::Vec<Scalar> locus::ldlt_diagonal<Scalar>(const locus::Mat<Scalar>&); \
  template Scalar locus::determinant<Scalar>(const locus::Mat<Scalar>&);
#define LOCUS_DENSE_INSTANTIATE_FLOATING(Scalar)                                                   \
  template locus::SymmetricEigen<Scalar> locus::symmetric_eigen<Scalar>(const locus::Mat<Scalar>&, \
                                                                        bool);
