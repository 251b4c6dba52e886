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

enum class PointKind { NotCritical, StrictMinimum, DegenerateMinimum, Saddle, Maximum, Undecided };
/// "not-critical", "strict-minimum", "degenerate-minimum", "saddle", "maximum", "undecided".
std::string to_string(PointKind kind);

struct ClassifyOptions {
  long max_bits = 4096;  ///< precision cap of the ball escalation
  /// Certified ‖∇L‖ bound below which a non-exact point counts as critical; empty: 2^(-bits/4).
  std::optional<Rational> gradient_tolerance;
};

struct Classification {
  PointKind kind = PointKind::Undecided;
  bool critical = false;
  std::string criticality;  ///< how criticality was decided
  Inertia inertia;
  bool inertia_known = false;
  bool certified = false;  ///< the kind is proved (exact or balls), not evidence
  std::string arithmetic;
  std::string reason;
  nlohmann::json certificate;  ///< method, bounds, precision, Morse–Bott / third-order details
};

/// Classifies the problem's point in arithmetic `a` (rational, ball:BITS, mpfr:BITS — certified
/// through balls at BITS — or a float type, evidence only). The tangent basis is read from the
/// problem's `tangent_basis` or `certificate.tangent_basis` (a list of P-vectors).
/// \throws InvalidArgument for a missing point or a malformed tangent basis (wrong length,
///   not in the Hessian's kernel: the message names the residual).
Classification classify_point(const Problem& problem,
                              const Arithmetic& a,
                              const ClassifyOptions& options = {});

}  // namespace locus
