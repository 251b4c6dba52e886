// locus/linalg/decide.hpp: the one inertia decision, generic over the scalar. Every job that
// states an inertia (spectrum, classify, the constructions, the claims) decides it here, so the
// rule for what each arithmetic may claim is written once:
//
//   | scalar       | how                                     | what is claimed                      |
//   |--------------|-----------------------------------------|--------------------------------------|
//   | Rational     | modular rank + LDLᵀ (exact_inertia)     | exact (n₊, n₋, n₀): a proof          |
//   | Ball         | ball-cluster certificate (spectrum.hpp) | n₊, n₋ and a cluster of n₀ in [−ε, ε]|
//   |              | (every entry containing 0: Gershgorin)  | : a proof; n₀ is the nullity only    |
//   |              |                                         | when it is 0                         |
//   | floating     | symmetric eigensolver + R7 gap test     | evidence only, never a proof         |
//
// The rigour of the decision is `evidence` (locus/scalar/rigour.hpp), derived from the scalar.
//
//   const locus::DecidedInertia d = locus::decide_inertia(hessian);   // any scalar
//   if (d.decided && d.evidence.proves() && d.zero_exact) { /* exact nullity d.inertia.zero */ }
#pragma once

#include <string>

#include "locus/linalg/inertia.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"

namespace locus {

/// An inertia with how it was decided and how sure it is.
struct DecidedInertia {
  /// The counts were decided (proved for exact and ball scalars; numerically for floating point,
  /// where `evidence` proves nothing).
  bool decided = false;
  /// The counts n₊, n₋ (outside [−ε, ε]) and the cluster size are proved even when the cluster is
  /// not resolved (a ball certificate with η < 1 but a wide ε: `decided` false). Exact: true.
  /// Floating point: false.
  bool counts_proved = false;
  Inertia inertia;
  /// inertia.zero is the number of zero eigenvalues. False for a ball cluster of size > 0 (it
  /// counts eigenvalues in [−ε, ε], which may be tiny nonzero ones) and for a floating-point
  /// cluster of size > 0 (eigenvalues below the rounding resolution).
  bool zero_exact = false;
  SpectrumMethod algorithm = SpectrumMethod::FloatGap;
  /// How, in words: "exact-ldlt (rational)", "ball-cluster, 256 bits", "float-gap (double)", ...
  std::string method;
  std::string reason;  ///< why it is undecided (empty when decided)
  /// Exact scalars: how the inertia was proved, step by step (ExactInertia::how). "" otherwise.
  std::string proof;
  Evidence evidence;  ///< of the scalar that decided it
  /// Exact scalars with `with_kernel`: a basis of the kernel (P x n₀), exact. Empty otherwise.
  Mat<Rational> kernel;
  /// Floating point: the R7 test's tolerance τ and gap ratio (text), "" otherwise.
  std::string tolerance, gap_ratio;
};

/// The inertia of a symmetric matrix in its own arithmetic (the table above): balls at the
/// thread's precision, without escalation (see decide_inertia(const ClusterCertificate&) for the
/// escalating certificate).
/// \throws InvalidArgument for a non-square matrix, and (balls) a non-symmetric one or a
///   non-finite entry; Error if a floating eigensolver does not converge.
/// `with_kernel` (exact scalars only; ignored otherwise): also an exact kernel basis.
template <class Scalar>
DecidedInertia decide_inertia(const Mat<Scalar>& m, bool with_kernel = false);

/// The exact decision with options (supplied null vectors, seed; exact_inertia).
/// \throws as exact_inertia (a supplied vector that is not in the kernel is an InvalidArgument).
DecidedInertia decide_inertia(const Mat<Rational>& m, const ExactInertiaOptions& options);

/// The decision a ball-cluster certificate makes (any precision, e.g. after escalation).
DecidedInertia decide_inertia(const ClusterCertificate& c);

/// The floating-point branch on eigenvalues already computed (any order) of a matrix with
/// Frobenius norm `frobenius_norm`: the R7 gap test (float_gap). Evidence only.
/// \throws InvalidArgument for a non-finite eigenvalue.
template <class Scalar>
DecidedInertia decide_inertia_numerically(const Vec<Scalar>& eigenvalues,
                                          const Scalar& frobenius_norm);

#define LOCUS_DECIDE_DECLARE(Scalar, tag) \
  extern template DecidedInertia decide_inertia<Scalar>(const Mat<Scalar>&, bool);
LOCUS_FOR_EACH_SCALAR(LOCUS_DECIDE_DECLARE)
#undef LOCUS_DECIDE_DECLARE
#define LOCUS_DECIDE_DECLARE_FLOATING(Scalar, tag)                                      \
  extern template DecidedInertia decide_inertia_numerically<Scalar>(const Vec<Scalar>&, \
                                                                    const Scalar&);
LOCUS_FOR_EACH_FLOATING_SCALAR(LOCUS_DECIDE_DECLARE_FLOATING)
#undef LOCUS_DECIDE_DECLARE_FLOATING

}  // namespace locus
