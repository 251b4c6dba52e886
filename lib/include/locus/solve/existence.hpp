// locus/solve/existence.hpp: proving that a true critical point lies near a refined point.
//
// A small certified ‖∇L(θ̃)‖ does not prove that a critical point exists nearby (docs/refine-classify.md
// pitfall 11: gradient-flat regions). For a nondegenerate point the Krawczyk operator does:
// with X = θ̃ + [−r, r]^P, R ≈ ∇²L(θ̃)⁻¹ (double) and
//
//   K(X) = θ̃ − R ∇L(θ̃) + (I − R ∇²L(X)) (X − θ̃),
//
// K(X) ⊂ int X proves that ∇L has exactly one zero in X (Krawczyk 1969, Moore 1977). Every term
// is evaluated in Arb balls: ∇L at the exact θ̃, ∇²L over the whole box X. Componentwise the test
// is |R∇L|_i + Σ_j |I − R∇²L(X)|_ij · r < r, with r = 4·max_i |R∇L|_i.
//
// Degenerate points (a singular Hessian, e.g. on a manifold of critical points) are not isolated
// zeros, and the proof does not apply: the result says so.
#pragma once

#include <string>

#include "locus/core/data.hpp"
#include "locus/core/network.hpp"
#include "locus/scalar/ball.hpp"
#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rational.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// The outcome of a Krawczyk existence test (docs/math/krawczyk.md).
struct ExistenceProof {
  bool attempted = false;  ///< false: the Hessian is singular in double, or not finite
  bool proved = false;     ///< a unique critical point lies in θ̃ + [−radius, radius]^P
  Rational radius;         ///< r, the half-width of the box (max norm)
  Rational contraction;    ///< max_i Σ_j |I − R ∇²L(X)|_ij (upper bound; < 3/4 is needed)
  int bits = 0;            ///< Arb precision of the proof
  std::string method;      ///< "Krawczyk, Arb balls at N bits"
  std::string reason;      ///< why the proof failed or was not attempted
  /// The preconditioner R ≈ ∇²L(θ̃)⁻¹ the test used, exactly (P × P; empty if not attempted):
  /// with θ̃ and radius it is what a certificate needs to re-run the test (docs/certificates.md).
  Mat<Rational> preconditioner;
};

/// Tries to prove that a critical point of L lies within max-norm distance r of the exact point
/// θ̃ (Krawczyk's test in Arb balls at `bits`).
/// \param[out] box_hessian if given and the test ran, ∇²L enclosed over the whole box X (balls at
///   `bits`): it contains the Hessian at the true critical point, so an inertia certified from it
///   is that point's inertia.
/// \throws InvalidArgument for a θ̃ of the wrong length or bits < 32.
ExistenceProof prove_critical_point(const Network& network,
                                    const Dataset& data,
                                    const Vec<Rational>& theta,
                                    int bits,
                                    Mat<Ball>* box_hessian = nullptr);

/// The proof as JSON for certificates: {"attempted", "proved", "radius", "contraction", "method",
/// "reason"} (bounds as decimal strings rounded outward). Does not throw.
nlohmann::json to_json(const ExistenceProof& proof);

}  // namespace locus
