// locus/constructions/sagun.hpp: the Hessian spectrum before and after training, bulk and
// outliers (Sagun, Bottou & LeCun 2016; math-spec §6, protocol of the authors' public code).
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

struct SagunOptions {
  bool quick = false;
  std::uint32_t seed = 0;
  std::function<void(const std::string&)> progress;
};

/// Runs the three experiments and writes DIR/sagun.md, sagun-*.dat and (with gnuplot) plots.
/// Returns the report's Markdown.
std::string sagun_reproduction(const SagunOptions& options, const std::string& dir);

}  // namespace locus::constructions
