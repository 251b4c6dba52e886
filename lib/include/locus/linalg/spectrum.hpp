// locus/linalg/spectrum.hpp: certified and numerical statements about symmetric spectra.
//
//   | method        | input            | what it proves                                          |
//   |---------------|------------------|---------------------------------------------------------|
//   | exact-ldlt    | Mat<Rational>    | exact (n₊, n₋, n₀), exact rank and kernel (inertia.hpp) |
//   | ball-cluster  | Mat<Ball>        | exactly k eigenvalues in [−ε, ε], all others |λ| ≥ δ > ε,
//   | |               |                  | n₊ positive and n₋ negative ones (rigorous, Arb) | |
//   float-gap     | float eigenvalues| nothing: the R7 gap test, numerical evidence only        |
//
// ball-cluster: an approximate eigendecomposition Q = [V | Q_r] (double for the well-separated
// eigenvalues, the near-zero block V refined to the working precision) gives the congruence
// B = QᵀMQ. Sylvester: In(B) = In(M). Weyl bounds the eigenvalues of B's diagonal blocks and the
// coupling between them, Ostrowski (λ(M) = λ(B)/θ, θ ∈ [1 − η, 1 + η], η ≥ ‖QᵀQ − I‖) carries the
// enclosures to M. Every bound is an Arb ball or a floating-point sum with a rigorous a priori
// error term, so the statement is a proof about every symmetric matrix inside the input balls.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "locus/linalg/inertia.hpp"
#include "locus/scalar/ball.hpp"
#include "locus/scalar/double_enclosure.hpp"
#include "locus/scalar/eigen.hpp"

namespace locus {

/// How an inertia was decided (the table above).
enum class SpectrumMethod { ExactLdlt, BallCluster, FloatGap };
/// "exact-ldlt", "ball-cluster", "float-gap" (the JSON values). Does not throw.
std::string to_string(SpectrumMethod method);

/// The rigorous result of certify_cluster.
struct ClusterCertificate {
  /// True when the zero cluster is resolved: epsilon below 2^(-bits/2)·‖M‖_F and η < 1.
  bool decided = false;
  /// n₊, n₋ and the cluster size n₀; valid (proved) whenever `proved` is true.
  Inertia inertia;
  /// The counts are proved (η < 1) even if the cluster is not resolved (`decided` false).
  bool proved = false;
  /// Every cluster eigenvalue has |λ| ≤ epsilon; every other eigenvalue has |λ| ≥ delta.
  /// Exact rationals (outward bounds). delta is 0 when there is no other eigenvalue.
  Rational epsilon;
  Rational delta;
  bool has_rest = false;
  /// Enclosures of all eigenvalues, in ascending order of midpoint; each eigenvalue of M lies in
  /// one of them under a one-to-one matching.
  std::vector<Ball> eigenvalues;
  /// Working precision of this result, and every precision tried (escalation).
  long bits = 0;
  std::vector<long> tried_bits;
  /// Size of the near-zero block refined at the working precision.
  Eigen::Index refined = 0;
  /// Why the result is undecided (empty when decided).
  std::string reason;
  /// Only when asked for (with_basis): the basis Q (P × P, exact dyadic midpoints) of the proof's
  /// congruence QᵀMQ, its columns in groups resolved one level after another (basis_groups:
  /// their sizes) and then the basis_cluster columns of the zero cluster. This is what a
  /// certificate ships (docs/certificates.md): a checker recomputes QᵀMQ and QᵀQ in balls.
  Mat<Ball> basis;
  std::vector<Eigen::Index> basis_groups;
  Eigen::Index basis_cluster = 0;
};

/// One certification attempt at the current ball_precision(). `m` must be square and symmetric in
/// the sense that m(i, j) and m(j, i) overlap.
/// \throws InvalidArgument on a non-square or non-symmetric matrix or a non-finite entry (the
///   message names the entry).
ClusterCertificate certify_cluster(const Mat<Ball>& m, bool with_basis = false);
/// The same for a matrix given as double midpoints and radii, such as
/// LossFunction<Ball>::hessian_enclosure (taken by value and scaled in place: move it in). At
/// ball_precision() <= 53 every step that would read the balls reads mid ± rad instead, which is
/// the same set, without a P × P matrix of balls; above, the refinement multiplies the balls
/// mid ± rad at the working precision.
/// \throws InvalidArgument on shapes that differ or are not square, a non-finite midpoint or
///   radius, a negative radius, or entries (i, j) and (j, i) that do not overlap (naming them).
ClusterCertificate certify_cluster(DoubleEnclosure m, bool with_basis = false);

namespace testing {
/// Test seam: while alive, certify_cluster on this thread perturbs the double eigendecomposition
/// it starts from (each eigenvector entry by up to `vectors`, each eigenvalue by up to
/// values·‖M‖_F, a fixed pattern). No step after the eigensolver trusts its accuracy, so every
/// certificate must stay true, only wider; the tests that check this fail when the residual term
/// of the bound is left out.
class ScopedEigenPerturbation {
 public:
  ScopedEigenPerturbation(double vectors, double values);
  ~ScopedEigenPerturbation();
  ScopedEigenPerturbation(const ScopedEigenPerturbation&) = delete;
  ScopedEigenPerturbation& operator=(const ScopedEigenPerturbation&) = delete;

 private:
  double previous_vectors_, previous_values_;
};
}  // namespace testing

/// A matrix enclosed in balls at a given precision (the caller sets the precision inside).
using BallMatrixAt = std::function<Mat<Ball>(long bits)>;
/// Precision escalation: calls matrix_at(bits) and certifies at that precision, doubling bits from
/// start_bits until decided or max_bits is passed (at least one attempt). Guarantee: the returned
/// certificate is the last attempt, with tried_bits listing every precision and, when undecided,
/// the reason and that the cap was reached; its proved counts hold for the matrix enclosed at
/// `bits`. \throws as certify_cluster(const Mat<Ball>&); whatever matrix_at throws.
ClusterCertificate certify_cluster(const BallMatrixAt& matrix_at,
                                   long start_bits,
                                   long max_bits,
                                   bool with_basis = false);

/// The numerical nullity test of docs/spectra.md for floating eigenvalues μ (any order):
/// τ = 10·P·u·‖M‖_F, cluster {|μ| ≤ τ}, decided only if
/// min_{|μ|>τ}|μ| / max_{|μ|≤τ}|μ| ≥ 10³. Evidence, never a proof.
struct NumericalNullity {
  bool decided = false;
  Inertia inertia;  ///< zero = cluster size (valid when decided; n₊/n₋ count |μ| > τ)
  std::string tolerance;
  std::string gap_ratio;  ///< "inf" when the cluster is exactly zero or empty
  std::string reason;
};
/// \tparam Scalar floating (instantiated for every floating scalar).
/// \throws InvalidArgument naming the first non-finite eigenvalue.
template <class Scalar>
NumericalNullity float_gap(const Vec<Scalar>& eigenvalues, const Scalar& frobenius_norm);

/// A rigorous upper bound of the Frobenius (for vectors: Euclidean) norm of every matrix inside
/// the balls, as an exact rational. Does not throw for finite balls; an indeterminate entry gives
/// an infinite bound (InvalidArgument when it cannot be represented as a rational).
Rational norm_upper_bound(const Eigen::Ref<const Mat<Ball>>& m);

/// x printed in scientific notation with `digits` significant digits, rounded up (`up`) or down,
/// so that the printed number is still a bound on the same side. Does not throw.
std::string format_bound(const Rational& x, bool up, int digits = 6);

}  // namespace locus
