// locus/linalg/inertia.hpp: exact inertia, rank and null spaces over Q.
//
// Sylvester's law of inertia: In(TᵀAT) = In(A) for invertible T. exact_inertia proves the inertia
// of a symmetric rational matrix (method "exact-ldlt" in reports), by default with the hybrid
// modular method: the rank and a nonsingular principal block A_JJ from arithmetic modulo a prime,
// an exact proof that the rest of A is congruent to 0, and a ball LDLᵀ of A_JJ. The fraction-free
// LDLᵀ of the whole matrix in exact integers is the cross-check (ExactInertiaMethod::FractionFree).
// No step is rounded without a rigorous bound, so the result is a proof valid for the rational
// matrix given, whatever its conditioning (docs/math/exact-inertia.md).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

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

/// How exact_inertia decides (docs/math/exact-inertia.md).
enum class ExactInertiaMethod {
  /// The hybrid modular method (default): the rank r and a pivot set J modulo a prime p; rank ≤ r
  /// from supplied null vectors (A·K = 0 checked exactly) or from the exact solution X of
  /// A_JJ·X = A_JK (p-adic lifting) with A_KK = A_KJ·X checked exactly; then In(A) = In(A_JJ) +
  /// (0, 0, n − r), In(A_JJ) from a ball LDLᵀ with precision escalation (fraction-free if balls at
  /// the largest precision do not decide).
  Modular,
  /// Fraction-free (Bareiss) symmetric LDLᵀ of the whole matrix: the cross-check.
  FractionFree,
};

/// "modular", "fraction-free". Does not throw.
std::string to_string(ExactInertiaMethod method);

/// The seed exact_inertia uses when none is given.
inline constexpr std::uint64_t kDefaultExactInertiaSeed = 20261202;

/// Options of exact_inertia.
struct ExactInertiaOptions {
  /// Also return a basis of ker A over Q.
  bool with_null_basis = false;
  /// Exact null vectors known in advance (the columns, n × k; 0 columns: none), e.g. from a
  /// construction. They are checked, never trusted: A·K = 0 exactly, and their rank modulo a
  /// prime must reach n − r for them to prove rank ≤ r. A column with A·k ≠ 0 is an error.
  Mat<Rational> null_vectors;
  /// Chooses the primes (the answer never depends on it; the time may).
  std::uint64_t seed = kDefaultExactInertiaSeed;
  ExactInertiaMethod method = ExactInertiaMethod::Modular;
};

/// Result of exact_inertia. Every field is exact: nothing in it is rounded.
struct ExactInertia {
  Inertia inertia;
  Eigen::Index rank = 0;
  /// Columns: a basis of ker A over Q (n × n₀), only when requested.
  Mat<Rational> null_basis;
  ExactInertiaMethod method = ExactInertiaMethod::Modular;
  /// Modular: the seed, the prime whose pivots were used, how rank ≤ r was proved
  /// ("full rank", "null vectors", "schur"), and the precision of the ball LDLᵀ that decided
  /// In(A_JJ) (0: decided by fraction-free elimination).
  std::uint64_t seed = 0;
  std::uint64_t prime = 0;
  std::string rank_proof;
  long ldlt_bits = 0;
  /// One line saying how it was proved, for reports.
  std::string how;
};

/// Exact inertia of the symmetric rational matrix `a`. Whatever the method, the result is a proof
/// valid for the rational matrix given: the modular method's random choices (the primes) can only
/// cost time, and every floating step it takes is in ball arithmetic.
/// \throws InvalidArgument if `a` is not square or not exactly symmetric (the message names the
///   first asymmetric entry), or if a supplied null vector has the wrong length or A·k ≠ 0 (the
///   message names the column and the first nonzero entry).
ExactInertia exact_inertia(const Mat<Rational>& a, const ExactInertiaOptions& options);

/// exact_inertia with the default options (and a kernel basis when `with_null_basis`).
ExactInertia exact_inertia(const Mat<Rational>& a, bool with_null_basis = false);

/// A symmetric factorisation P·A·Pᵀ = L·D·Lᵀ over Q (row i of P·A·Pᵀ is row permutation[i] of A):
/// L unit lower triangular, D block diagonal with 1×1 and 2×2 blocks. Sylvester's law of inertia
/// gives In(A) = In(D); the factors are what a certificate ships (docs/certificates.md), so that
/// a checker multiplies them back exactly.
struct ExactLdlt {
  std::vector<Eigen::Index> permutation;
  Mat<Rational> l;
  /// The blocks of D down the diagonal: {d} or {a, b, c} for [[a, b], [b, c]].
  std::vector<std::vector<Rational>> blocks;
  Inertia inertia;
};

/// Exact symmetric LDLᵀ with diagonal pivoting (a nonzero diagonal entry first, else a 2×2 block
/// on a nonzero off-diagonal entry, else the rest is zero). Cost: O(n³) rational operations whose
/// size grows with the minors of `a` (for certificates of matrices of moderate size; exact_inertia
/// is the fast way to the inertia alone).
/// 	hrows InvalidArgument if `a` is not square or not exactly symmetric.
ExactLdlt exact_ldlt(const Mat<Rational>& a);

/// Exact rank of a rectangular rational matrix (Gaussian elimination over Q). Guarantee: the rank,
/// a proof (nothing is rounded). Any shape, including empty (rank 0). Does not throw.
Eigen::Index exact_rank(const Mat<Rational>& a);

/// A basis of the null space {x : a x = 0} over Q, as the columns of a cols(a) × (cols(a) − rank)
/// matrix (reduced row echelon form; each basis vector has a 1 in its free coordinate). Guarantee:
/// a·K = 0 exactly and the columns are independent. Any shape. Does not throw.
Mat<Rational> exact_null_space(const Mat<Rational>& a);

}  // namespace locus
