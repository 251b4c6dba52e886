// locus/constructions/sagun.hpp: the Hessian spectrum before and after training, bulk and
// outliers (Sagun, Bottou & LeCun 2016; docs/reproductions.md, protocol of the authors' public code).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"

namespace locus::constructions {

/// Full-batch gradient descent with a fixed step, stopping at ‖∇L‖ <= tolerance or after
/// max_iterations (the trainer of the reproductions).
struct TrainResult {
  Vec<double> theta;
  long iterations = 0;
  double gradient_norm = 0, loss = 0;
  bool converged = false;  ///< stopped on the gradient norm
};
TrainResult gradient_descent(const LossFunction<double>& f,
                             Vec<double> theta,
                             double step,
                             double tolerance,
                             long max_iterations,
                             const std::function<void(long, double, double)>& progress = {});

/// φ_τ = #{|λ| <= τ·λ_max} / P.
double bulk_fraction(const Vec<double>& eigenvalues, double tau = 1e-3);
/// The outlier count: the index of the largest gap in log|λ| among the top 3k eigenvalues.
int outlier_count(const Vec<double>& eigenvalues, int classes);

/// SB-a on the first `samples` points of a data set at θ: the rank of the Gauss-Newton matrix G
/// against N(k−1) (cross-entropy, k classes) or N·k (squared loss), proved, not estimated.
///  - squared loss, exact activation (ReLU, polynomial, identity): G over Q, its exact rank; with
///    `interpolating`, the targets are replaced by the outputs at θ (an exact global minimum, H =
///    0) and the count is the number of nonzero eigenvalues of the exact ∇²L (CO-0c).
///  - cross-entropy: the upper bound from the exact factorisation G = Σ_i (QJ_i)ᵀ Λ_i (QJ_i),
///    Q = I − 1e₁ᵀ (valid because Λ_i 1 = 0), i.e. rank G <= rank_Q [QJ_i]_i, J exact over Q; the
///    lower bound from the eigenvalues of G certified nonzero in Arb balls.
struct RankBoundRow {
  int samples = 0;
  long parameters = 0;
  std::string quantity;    ///< "rank G (CE)", "rank G (MSE)", "nonzero eigenvalues of ∇²L (MSE,
                           ///< interpolating)"
  long bound = 0;          ///< N(k−1) or N·k
  long rank_lower = -1;    ///< proved lower bound (−1: not decided)
  long rank_upper = -1;    ///< proved upper bound
  std::string arithmetic;  ///< which arithmetic proved each side
  bool pass = false;       ///< the proved rank (or its lower bound) is <= bound, and lower <= upper
};
RankBoundRow sb_a_rank(const Network& net,
                       const Dataset& data,
                       const Vec<double>& theta,
                       int samples,
                       bool interpolating = false);

struct SagunOptions {
  bool quick = false;
  std::uint32_t seed = 0;
  std::function<void(const std::string&)> progress;
};

/// Runs the three experiments and writes DIR/sagun.md, sagun-*.dat and (with gnuplot) plots.
/// Returns the report's Markdown.
std::string sagun_reproduction(const SagunOptions& options, const std::string& dir);

}  // namespace locus::constructions
