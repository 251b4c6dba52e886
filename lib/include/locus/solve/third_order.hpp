// locus/solve/third_order.hpp: the third-order test, the one place that decides "not a local
// minimum" from a third derivative (docs/math/star-locus.md, docs/refine-classify.md).
//
// At a point θ with ∇L(θ) = 0 and a direction u with ∇²L(θ) u = 0,
//   L(θ + t u) − L(θ) = D³L(θ)[u, u, u] t³/6 + O(t⁴),
// so D³L(θ)[u, u, u] ≠ 0 makes L take both signs around θ along u: θ is neither a local minimum nor
// a local maximum. The sign of D³L is decided by the scalar (locus/scalar/rigour.hpp): exactly over
// Q, by enclosure for balls, never for floating point (a rounded third derivative is not evidence
// that it is nonzero).
//
//   std::mt19937 rng(seed);
//   auto w = locus::third_order_witness(f, theta, 16, [&](std::size_t) { return random_dir(rng); });
//   if (w) { /* θ is not a local minimum; w->direction, w->value */ }
#pragma once

#include <cstddef>
#include <optional>
#include <utility>

#include "locus/core/derivatives.hpp"
#include "locus/scalar/rigour.hpp"

namespace locus {

/// A direction along which the third derivative is certainly nonzero.
template <class Scalar>
struct ThirdOrderWitness {
  std::size_t index = 0;  ///< which of the tried directions (0-based)
  Vec<Scalar> direction;
  Scalar value;  ///< D³L(θ)[u, u, u], certainly nonzero in Scalar's rigour
};

/// Tries `count` directions `direction(i)` (called in order i = 0, 1, ..., stopping at the first
/// witness) and returns the first u with D³L(θ)[u, u, u] certainly nonzero, or none.
///
/// Precondition, which the caller must have proved in the same arithmetic: ∇L(θ) = 0 and
/// ∇²L(θ) u = 0 for every direction tried (for example u in an exact kernel basis, or ∇²L(θ) = 0
/// exactly). Only then does a witness prove that θ is not a local minimum. With a floating-point
/// Scalar the result is always none.
template <class Scalar, class Directions>
std::optional<ThirdOrderWitness<Scalar>> third_order_witness(const LossFunction<Scalar>& f,
                                                             const Vec<Scalar>& theta,
                                                             std::size_t count,
                                                             Directions&& direction) {
  for (std::size_t i = 0; i < count; ++i) {
    Vec<Scalar> u = direction(i);
    Scalar d3 = f.third_derivative(theta, u);
    if (certainly_nonzero(d3)) return ThirdOrderWitness<Scalar>{i, std::move(u), std::move(d3)};
  }
  return std::nullopt;
}

}  // namespace locus
