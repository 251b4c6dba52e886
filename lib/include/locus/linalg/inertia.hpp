// locus/linalg/inertia.hpp: exact inertia, rank and null spaces over Q.
//
// Sylvester's law of inertia: In(TᵀAT) = In(A) for invertible T. exact_inertia factors the
// symmetric rational matrix as A = Pᵀ L D Lᵀ P with 1x1 and 2x2 pivots, all in exact GMP rationals,
// and reads (n₊, n₋, n₀) from D. Nothing is rounded, so the result is a proof (method
// "exact-ldlt"), valid for the rational matrix given, whatever its conditioning.
#pragma once

#include <string>

#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rational.hpp"

namespace locus {

/// (n₊, n₋, n₀) of a symmetric matrix.
struct Inertia {
  Eigen::Index positive = 0;
  Eigen::Index negative = 0;
  Eigen::Index zero = 0;
  friend bool operator==(const Inertia&, const Inertia&) = default;
};

/// "(n+, n-, n0)", e.g. "(6, 0, 1)".
std::string to_string(const Inertia& inertia);

/// Result of exact_inertia.
struct ExactInertia {
  Inertia inertia;
  Eigen::Index rank = 0;
  /// Columns: a basis of ker A over Q (n × n₀), only when requested.
  Mat<Rational> null_basis;
};

/// Exact inertia of the symmetric rational matrix `a` by symmetric LDLᵀ with exact pivoting: a
/// nonzero diagonal pivot of least bit size when there is one, otherwise a 2×2 pivot on an
/// off-diagonal entry (whose block [[0, b], [b, 0]] contributes one positive and one negative).
/// \throws InvalidArgument if `a` is not square or not exactly symmetric (the message names the
///   first asymmetric entry).
/// Cost: n³/3 rational multiply-adds; entries stay ratios of minors of `a` (bounded growth).
ExactInertia exact_inertia(const Mat<Rational>& a, bool with_null_basis = false);

/// Exact rank of a rectangular rational matrix (Gaussian elimination over Q). Guarantee: the rank,
/// a proof (nothing is rounded). Any shape, including empty (rank 0). Does not throw.
Eigen::Index exact_rank(const Mat<Rational>& a);

/// A basis of the null space {x : a x = 0} over Q, as the columns of a cols(a) × (cols(a) − rank)
/// matrix (reduced row echelon form; each basis vector has a 1 in its free coordinate). Guarantee:
/// a·K = 0 exactly and the columns are independent. Any shape. Does not throw.
Mat<Rational> exact_null_space(const Mat<Rational>& a);

}  // namespace locus
