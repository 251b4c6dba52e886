// locus/solve/classify.hpp: what kind of point is this? With a certificate, or "undecided".
//
// 1. Criticality: exact (∇L = 0 over Q) in rational arithmetic; otherwise a ball enclosure of ∇L:
//    `not-critical` when some component is certainly farther from 0 than the tolerance, and
//    `critical` (approximately, with the certified bound ‖∇L‖ <= b) when b <= tolerance.
// 2. Inertia: exact LDLᵀ (rational) or the ball-cluster certificate with precision escalation
//    (locus/linalg/spectrum.hpp); floating arithmetics give evidence only and never decide n₀.
// 3. Kind: strict-minimum (n₋ = n₀ = 0), maximum (n₊ = n₀ = 0), saddle (n₋ > 0 and n₊ > 0);
//    for PSD degenerate Hessians the Morse–Bott test (R6) when a tangent basis K of the critical
//    manifold is supplied (H K = 0 certified, rank K = n₀, the complement block certified
//    positive definite: degenerate-minimum); otherwise the third-order test along an exact kernel
//    basis (rational: D³L[u,u,u] != 0 means not a minimum); otherwise `undecided` with the reason.
#pragma once

#include <optional>
#include <string>

#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// What a critical point is (Classification::kind; proved only when `certified`).
enum class PointKind { NotCritical, StrictMinimum, DegenerateMinimum, Saddle, Maximum, Undecided };
/// What is proved about ∇L at (or near) the point:
/// - Exact: ∇L(θ) = 0 exactly (over Q, or every ball of the gradient an exact 0);
/// - ProvedNearby: a true critical point θ* lies in a certified box around θ (Krawczyk, possibly
///   through a reduction of duplicated units), and the kind is θ*'s;
/// - EpsilonStationary: only ‖∇L(θ)‖ <= b <= tolerance is proved; the kind is evidence;
/// - NotCritical: some component of ∇L(θ) is certainly nonzero;
/// - Unknown: none of these was decided.
enum class Stationarity { Unknown, NotCritical, Exact, ProvedNearby, EpsilonStationary };
/// "unknown", "not-critical", "exact", "proved-nearby", "epsilon-stationary". Does not throw.
std::string to_string(Stationarity s);
/// "not-critical", "strict-minimum", "degenerate-minimum", "saddle", "maximum", "undecided".
/// Does not throw.
std::string to_string(PointKind kind);

/// Options of classify_point.
struct ClassifyOptions {
  long max_bits = 4096;  ///< precision cap of the ball escalation
  /// Certified ‖∇L‖ bound below which a non-exact point counts as critical; empty: 2^(-bits/4).
  std::optional<Rational> gradient_tolerance;
};

/// What classify_point found, with how sure it is (`certified`, `evidence`, `conditional_on`).
struct Classification {
  PointKind kind = PointKind::Undecided;
  bool critical = false;
  std::string criticality;  ///< how criticality was decided
  Stationarity stationarity = Stationarity::Unknown;
  /// ProvedNearby: a true critical point lies within this max-norm distance of θ (an exact upper
  /// bound from the existence proof). Empty otherwise.
  std::optional<Rational> critical_point_radius;
  /// (n₊, n₋, n₀). n₊ and n₋ count eigenvalues outside [−ε, ε]; n₀ counts exact zeros when
  /// `zeros_exact`, and otherwise the eigenvalues in the cluster [−cluster_epsilon,
  /// cluster_epsilon] (reported as a cluster, not as the inertia).
  Inertia inertia;
  bool inertia_known = false;
  bool zeros_exact = false;
  Rational cluster_epsilon;
  /// The kind is proved (exact or balls), not evidence. Never true when the kind rests on a
  /// gradient tolerance (ε-stationary) or on an unverified hypothesis (`conditional_on`).
  bool certified = false;
  /// The hypothesis an uncertified kind rests on (empty when none), e.g. "the supplied
  /// tangent_basis spans a manifold of critical points through θ".
  std::string conditional_on;
  std::string arithmetic;
  /// How sure the kind is: the rigour of the arithmetic that decided it (rational: exact; balls,
  /// also for mpfr:BITS, which certifies with balls: enclosure; floating types: floating point),
  /// lowered to floating-point strength when `certified` is false or the kind is Undecided.
  Evidence evidence;
  std::string reason;
  nlohmann::json certificate;  ///< method, bounds, precision, Morse–Bott / third-order details
};

/// Classifies the problem's point in arithmetic `a` (rational, ball:BITS, mpfr:BITS — certified
/// through balls at BITS — or a float type, evidence only). The tangent basis is read from the
/// problem's `tangent_basis` or `certificate.tangent_basis` (a list of P-vectors).
/// Guarantee: `kind` is proved exactly when `certified` is true (and then `evidence.proves()`);
/// otherwise it is evidence, and `conditional_on` or `reason` says what is missing.
/// \throws InvalidArgument for a missing point or a malformed tangent basis (wrong length,
///   not in the Hessian's kernel: the message names the residual); UnsupportedScalar when the
///   activation has no value in `a` (e.g. tanh over Q).
Classification classify_point(const Problem& problem,
                              const Arithmetic& a,
                              const ClassifyOptions& options = {});

/// The problem's tangent basis (`tangent_basis` or `certificate.tangent_basis`, P × k), if any.
/// \throws InvalidArgument for a malformed basis.
std::optional<Mat<Rational>> supplied_tangent_basis(const Problem& p);

/// True when θ + K t is a critical point for every t ∈ Q^k, checked exactly (the loss is then a
/// polynomial in θ: ∇L(θ + K t) vanishes on the grid {0..D}^k). False when refuted or when the
/// check does not apply (a loss that is not a polynomial, a grid above 4096 points); *detail says
/// which.
bool verify_critical_family(const Problem& p, const Mat<Rational>& k, std::string* detail);

/// A split found in θ (what classify's reduction merges): hidden units with equal incoming rows
/// and proportional outgoing columns are copies of one unit. The network with each group merged,
/// at the merged point, and the exact map with θ = map · θ_merged. None when θ has no such copies.
struct MergedSplit {
  Problem merged;
  Mat<Rational> map;
};
std::optional<MergedSplit> merged_split(const Problem& p);

}  // namespace locus
