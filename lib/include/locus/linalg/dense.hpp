// locus/linalg/dense.hpp: the dense decompositions locus builds on, generic over the scalar.
//
// Thin, contract-carrying wrappers of Eigen 3.4's LDLT, PartialPivLU and SelfAdjointEigenSolver,
// explicitly instantiated once per built-in scalar in lib/src/instantiate/dense_<scalar>.cpp so
// that no other translation unit compiles an MPFR decomposition (docs/toolchain.md, item 7).
//
//   | function              | scalars                      | rigour |
//   |-----------------------|------------------------------|------------------------------------------|
//   | ldlt_solve            | floating, Rational           | exact for Rational | | ldlt_diagonal
//   | floating, Rational           | exact for Rational                       | | determinant |
//   floating, Rational           | exact for Rational                       | | symmetric_eigen |
//   floating                     | approx: no error bound (Arb's approx_)   |
//
// Certified inertia and null-space dimension are built on these in the spectra module; these
// functions themselves make no rigour claim for floating scalars.
#pragma once

#include "locus/scalar/concepts.hpp"
#include "locus/scalar/eigen.hpp"

namespace locus {

/// Solves A x = b for symmetric A by Eigen's LDLT (diagonal pivoting P^T L D L^T P = A).
/// \tparam Scalar floating or Rational (OrderedField).
/// \param a symmetric n x n (only the lower triangle is read).
/// \param b right-hand side of length n.
/// \param[out] ok set to false when a pivot is zero (A singular, or indefinite in a way diagonal
///   pivoting cannot factor, e.g. [[0,1],[1,0]]); the returned x is then unspecified.
/// \returns x. Guarantee: for Rational, x is the exact solution whenever *ok is true.
/// Cost: n^3/3 multiplications.
template <class Scalar>
Vec<Scalar> ldlt_solve(const Mat<Scalar>& a, const Vec<Scalar>& b, bool* ok = nullptr);

/// The diagonal D of Eigen's pivoted LDL^T of the symmetric matrix A (in pivot order; only the
/// lower triangle is read).
/// For Rational this is exact; when every pivot is nonzero, Sylvester's law of inertia makes the
/// signs of D the inertia of A. A zero pivot stops the factorisation: the remaining entries are 0.
template <class Scalar>
Vec<Scalar> ldlt_diagonal(const Mat<Scalar>& a);

/// det(A) by partial-pivot LU: exact for Rational, rounded (no error bound) for floating scalars.
/// \pre A square (LOCUS_ASSERT).
template <class Scalar>
Scalar determinant(const Mat<Scalar>& a);

/// Result of symmetric_eigen.
template <class Scalar>
struct SymmetricEigen {
  Vec<Scalar> values;   ///< ascending
  Mat<Scalar> vectors;  ///< orthonormal columns, vectors.col(i) for values(i); empty if not asked
  bool converged = false;
};

/// Eigenvalues (ascending) and optionally eigenvectors of the symmetric matrix A in the arithmetic
/// Scalar, by Householder tridiagonalisation and implicit symmetric QR (Eigen's
/// SelfAdjointEigenSolver). No error bound: each eigenvalue is typically within a few
/// epsilon * ||A||_2 of the truth (Weyl), which the spectra module turns into certificates.
/// \tparam Scalar floating (RealField). `converged` is false when the QR iteration did not
/// converge; the values are then unspecified. Does not throw except std::bad_alloc.
template <class Scalar>
SymmetricEigen<Scalar> symmetric_eigen(const Mat<Scalar>& a, bool compute_vectors = false);

#define LOCUS_DENSE_DECLARE_ORDERED(Scalar, tag)                                                 \
  extern template Vec<Scalar> ldlt_solve<Scalar>(const Mat<Scalar>&, const Vec<Scalar>&, bool*); \
  extern template Vec<Scalar> ldlt_diagonal<Scalar>(const Mat<Scalar>&);                         \
  extern template Scalar determinant<Scalar>(const Mat<Scalar>&);
#define LOCUS_DENSE_DECLARE_FLOATING(Scalar, tag) \
  extern template SymmetricEigen<Scalar> symmetric_eigen<Scalar>(const Mat<Scalar>&, bool);

LOCUS_FOR_EACH_ORDERED_SCALAR(LOCUS_DENSE_DECLARE_ORDERED)
LOCUS_FOR_EACH_FLOATING_SCALAR(LOCUS_DENSE_DECLARE_FLOATING)

#undef LOCUS_DENSE_DECLARE_ORDERED
#undef LOCUS_DENSE_DECLARE_FLOATING

}  // namespace locus
