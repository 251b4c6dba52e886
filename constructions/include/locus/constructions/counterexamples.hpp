// locus/constructions/counterexamples.hpp: the counterexample networks of docs/constructions.md, each a
// problem file with its certificate, and a generator for all of them.
//
//   g7_counterexample  G7 (Yu-Chen 1995 refuted, DLS-1): G1's minimum split nine times into a
//                      1-10-1 sigmoid network with N = 9 samples: a degenerate local minimum
//                      (Morse-Bott, tangent basis of the 9-dimensional critical manifold in the
//                      certificate) with loss 1/2, and a witness point of certified lower loss
//                      (the escape path's end, padded with inactive units), so it is suboptimal.
//   si1_swap_path      SI-1 (Şimşek et al. 2021): the seven-segment path through one spare unit
//                      that swaps two units of a zero-loss point; the loss is exactly 0 along it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"

namespace locus::constructions {

/// G1's small problem (docs/constructions.md G1: sigmoid 1-1-1, targets to 10 digits) at θ* = (1, 0, 1, 0).
Problem g1_small_problem();

/// G1's small problem at its critical point, refined by MPFR-512 Newton to ‖∇L‖ < 1e-100 (a
/// rational point). \throws Error if Newton does not converge.
Problem g1_critical_problem();

/// G7 from a critical point of G1's small network (refine g1_small_problem() first).
/// With `map`: the composite split map (P_G7 × P_G1, exact), G7's point = map · G1's point.
Problem g7_counterexample(const Problem& g1_critical,
                          std::uint32_t seed = 0,
                          Mat<Rational>* map = nullptr);

/// SI-1's swap path for an exact two-layer zero-loss point (degree-5 Taylor polynomial of exp,
/// teacher of width 2, student of width 3). Seed 0: the fixed teacher (w, b) = (1, 0), (−1, 1/2),
/// outgoing 1, −2; other seeds draw distinct teacher units and a spare unit at random.
Problem si1_swap_path(std::uint32_t seed = 0);

/// Regenerates every construction and counterexample into `dir` (created if needed); returns the
/// written file names. Each file re-checks with `locus classify` or `locus path`.
std::vector<std::string> write_counterexamples(const std::string& dir, std::uint32_t seed = 0);

}  // namespace locus::constructions
