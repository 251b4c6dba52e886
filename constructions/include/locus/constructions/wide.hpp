// locus/constructions/wide.hpp: global minima and wide networks (docs/constructions.md).
//
//   CO-0  at an interpolating point (squared loss, L = 0) with rank J = N·n_L the Hessian is JᵀJ
//         and its nullity is exactly P − N·n_L.
//   WB-1  at any critical point, nullity(∇²L) >= n_1 (n_0+β − rank X̃)
//                                        + Σ_{l>=2} (n_l − rank Δ_l)(n_{l−1}+β − rank Ã_{l−1}).
//   growth: for uniform hidden width w and L weight layers (β = 0): nullities of global minima,
//         star components and C components, and the WB-1 bound, as w and L grow.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "locus/constructions/common.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

/// WB-1's bound with the ranks it uses (exact over Q; balls: ranks as the number of Gram
/// eigenvalues certified outside the zero cluster).
struct WideBound {
  Eigen::Index bound = 0;
  std::vector<Eigen::Index> rank_a;      ///< rank Ã_{l−1}, l = 1..L (Ã_0 = X̃)
  std::vector<Eigen::Index> rank_delta;  ///< rank Δ_l, l = 1..L (entry 0 unused)
  std::string method;
  Evidence evidence;  ///< of the arithmetic that computed the ranks
};

WideBound wb1_bound(const Problem& p, const Arithmetic& a);
nlohmann::json to_json(const WideBound& b);

/// The interpolating point: targets Φ(θ) (exact for polynomial / identity activations, ball
/// midpoints otherwise), with the certificate: rank J, predicted nullity P − N·n_L (CO-0),
/// the Hessian's inertia and the WB-1 bound.
Problem global_minimum(const Problem& base, const Arithmetic& a);

/// The growth table (docs/constructions.md) for widths × depths (β = 0, n_0 = n_L = 1, N samples, exact polynomial
/// activation z + z³/3 (σ(0) = 0)), every nullity decided exactly over Q. Markdown and JSON.
struct GrowthRow {
  int width = 0, layers = 0;
  Eigen::Index P = 0;
  Eigen::Index global_min_nullity = 0, global_min_predicted = 0;
  Eigen::Index star_nullity = 0, star_predicted = 0;  ///< zero layers {2, 3} (hidden-hidden)
  Eigen::Index c_nullity = 0;                         ///< zero layers {1, 2, 3}: = P
  Eigen::Index wb1_at_global_min = 0;
};
std::vector<GrowthRow> growth_table(const std::vector<int>& widths,
                                    const std::vector<int>& layers,
                                    int samples,
                                    std::uint32_t seed);
std::string growth_markdown(const std::vector<GrowthRow>& rows);

}  // namespace locus::constructions
