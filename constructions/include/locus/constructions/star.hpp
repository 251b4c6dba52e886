// locus/constructions/star.hpp: star-locus and C-locus points (R5; docs/math/star-locus.md ST-1..ST-3,
// reconstructed [R] definitions of Cooper's S and C).
//
// Networks without biases, σ(0) = 0, and a set Z of at least two zero weight layers: θ is critical
// (ST-1). For Z = {i < j} the Hessian has one nonzero block and
//   n₋ = n₊ = rank(P_jᵀ M_i) · rank(Q_ij),   n₀ = P − 2 n₋            (ST-2)
// with M_i = Σ_r g_r a_{i-1}(x_r)ᵀ, g_r = ∇_f ℓ(0, y_r), P_j = W_L ⋯ W_{j+1}, Q_ij = W_{j-1} ⋯
// W_{i+1}. For |Z| >= 3 the Hessian is exactly 0 (ST-3, the C locus), and a nonzero third
// derivative along some direction proves that the point is not a local minimum.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "locus/constructions/common.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

/// The point with W_m = 0 for m in `zero_layers` (1-based), the other weights from the problem's
/// point (zeros if it has none).
/// \throws InvalidArgument naming the failed hypothesis: biases, σ(0) ≠ 0, fewer than two zero
///   layers, a layer out of range.
Problem star_problem(const Problem& base, const std::vector<int>& zero_layers);

struct StarCertificate {
  std::string arithmetic;
  Evidence evidence;  ///< of the arithmetic that computed it
  std::vector<int> zero_layers;
  bool gradient_zero = false;  ///< ∇L = 0 exactly (exact zeros, also in balls)
  std::string gradient;
  bool hessian_zero = false;         ///< |Z| >= 3: ∇²L = 0 exactly
  std::optional<Inertia> predicted;  ///< ST-2 (|Z| = 2)
  std::string prediction_method;     ///< how the ranks were decided
  DecidedInertia hessian_inertia;
  bool prediction_holds = false;
  std::string third_order;     ///< |Z| >= 3: D³L along seeded directions
  bool not_a_minimum = false;  ///< certified (D³L ≠ 0 with ∇L = 0 and ∇²L = 0)
  /// The direction u of the witness D³L[u,u,u] ≠ 0 (integers), when not_a_minimum.
  std::optional<Vec<Rational>> third_order_direction;
  std::string kind;  ///< saddle / undecided / ...
};

nlohmann::json to_json(const StarCertificate& c);

/// Builds the star point and certifies ST-1..ST-3 in `a` (rational or ball:BITS).
StarCertificate certify_star(const Problem& star,
                             const std::vector<int>& zero_layers,
                             const Arithmetic& a,
                             std::uint32_t seed = 0);

}  // namespace locus::constructions
