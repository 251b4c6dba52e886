// locus/solve/higher_order.hpp: the directional test of any order, for critical points where the
// Hessian and the third derivative say nothing (docs/math/higher-order.md).
//
// Along a line θ + t u the loss is analytic in t:
//   L(θ + t u) = c_0 + c_1 t + c_2 t² + ... ,   c_k = D^kL(θ)[u, ..., u] / k!.
// If c_1 = ... = c_{k−1} = 0 and c_k ≠ 0, then L(θ + t u) − L(θ) = c_k t^k (1 + O(t)):
//   - k odd: L takes both signs along u, so θ is neither a local minimum nor a local maximum;
//   - k even, c_k < 0: L decreases along ±u, so θ is not a local minimum;
//   - k even, c_k > 0: θ is not a local maximum.
// The coefficients come from one forward pass in truncated power series (Taylor mode), exact over Q
// where every activation value met is rational (the origin of a tanh or identity network), and as
// Arb balls otherwise. A coefficient counts as zero only when it is exactly zero (an exact 0 over Q,
// the exact ball {0}), and as nonzero only when certainly nonzero, so the test is rigorous in both
// arithmetics and never decides in floating point.
//
//   auto r = locus::higher_order_test<locus::Rational>(net, data, theta, 32, 6, seed);
//   if (r.not_minimum && r.not_maximum) { /* a saddle, r.detail says why */ }
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/core/network.hpp"

namespace locus {

/// c_0, ..., c_order of t ↦ L(θ + t u) (c_k = D^kL(θ)[u^k]/k!), for the squared loss with an
/// optional L2 term, activations identity, polynomial, tanh, sigmoid, softplus, silu, erf, and
/// relu / leaky_relu off their kink.
/// \tparam Scalar Rational, Ball (or double, for tests: rounded, decides nothing).
/// \throws InvalidArgument for lengths that do not match P or order < 1; UnsupportedScalar for
///   another loss or activation (gelu, gelu_tanh, elu), or a value with no exact rational form
///   (tanh(1/2) over Q); NotDifferentiable at a kink.
template <class Scalar>
std::vector<Scalar> directional_taylor(const Network& network,
                                       const Dataset& data,
                                       const Vec<Scalar>& theta,
                                       const Vec<Scalar>& u,
                                       int order);

/// What the directional test proved along the directions tried.
struct HigherOrderResult {
  bool not_minimum = false;  ///< some direction's first nonzero coefficient is odd, or even < 0
  bool not_maximum = false;  ///< some direction's first nonzero coefficient is odd, or even > 0
  int order_down = 0;        ///< the order that proved not_minimum (0: none)
  int order_up = 0;          ///< the order that proved not_maximum (0: none)
  int directions = 0;        ///< directions tried
  int highest_order = 0;     ///< the largest first-nonzero order met
  std::vector<std::string> witnesses;  ///< "u_k: c_4 = −3/2 (first nonzero)"
  std::string detail;                  ///< one sentence for reports
};

/// Tries `count` seeded integer directions (coefficients in {−3, ..., 4}, a fixed generator from
/// `seed`; or, when `directions` is non-empty, those first) up to `max_order`, stopping once both
/// not_minimum and not_maximum are proved. Rigorous for Rational and Ball; floating scalars prove
/// nothing (every flag stays false).
template <class Scalar>
HigherOrderResult higher_order_test(const Network& network,
                                    const Dataset& data,
                                    const Vec<Scalar>& theta,
                                    int count,
                                    int max_order,
                                    std::uint64_t seed,
                                    const std::vector<Vec<Scalar>>& directions = {});

}  // namespace locus
