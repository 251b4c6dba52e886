// locus/reproductions/littwin_wolf.hpp: curvature along the gradient, G versus H (Littwin & Wolf
// 2020; docs/reproductions.md, R8, G6).
//
// With g = ∇L(θ) and ĝ = g/‖g‖: κ_tot = ĝᵀ∇²Lĝ (one Hessian-vector product), κ_G = ĝᵀGĝ (one
// Gauss-Newton product), κ_H = κ_tot − κ_G, and the orthogonality ratio ρ = E[κ_H]/E[κ_G] over
// seeds. LW-1: at initialisation ρ(n) → 0 as the width n grows.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"

namespace locus::reproductions {

struct GradientCurvature {
  double kappa_tot = 0, kappa_g = 0, kappa_h = 0;
  double gradient_norm = 0;
  double cos_g_hg = 0;  ///< gᵀHg / (‖g‖‖Hg‖), H the residual part
};

/// R8 at θ, in double.
GradientCurvature gradient_curvature(const LossFunction<double>& f, const Vec<double>& theta);

/// Weights N(0, gain/fan_in) (Xavier/He-style "Var = gain/fan_in"), biases 0; seeded.
Vec<double> fan_in_init(const Network& net, std::uint32_t seed, double gain = 1.0);

/// One configuration of the LW-1 experiment.
struct LwConfig {
  std::string name;  ///< e.g. "tanh, 1 hidden, MSE"
  int hidden_layers = 1;
  Activation activation = Activation::tanh();
  LossKind loss = LossKind::Squared;
  std::vector<std::pair<int, double>> reference;  ///< G6's table (our own earlier numbers)
};

struct LwRow {
  int width = 0;
  long parameters = 0;
  double rho = 0, mean_kappa_h = 0, mean_kappa_g = 0, mean_kappa_tot = 0;
  double reference = 0;  ///< 0 when G6 has no value
};

struct LwCriterion {
  std::string name;
  bool pass = false;
  std::string value;
};

struct LwResult {
  LwConfig config;
  std::vector<LwRow> rows;
  double slope = 0;  ///< least-squares slope of log ρ against log n over n ∈ [256, 2048]
  std::vector<LwCriterion> criteria;
};

struct LwOptions {
  std::vector<int> widths{16, 32, 64, 128, 256, 512, 1024, 2048};
  int seeds = 8;
  int samples = 64;
  int input_dim = 20;
  int classes = 10;
  std::uint32_t seed = 0;  ///< base seed (data: seed; init of seed s: seed + 1 + s)
  std::function<void(const std::string&)> progress;
};

/// The two G6 configurations (tanh 1 hidden MSE, tanh 2 hidden cross-entropy), then tanh 3 hidden
/// MSE, sigmoid 1 hidden cross-entropy and ReLU 2 hidden MSE (no G6 value).
std::vector<LwConfig> lw_configurations();

/// Runs LW-1 for one configuration (data: 64 Gaussian inputs in R^20, 10 classes one-hot).
LwResult littwin_wolf(const LwConfig& config, const LwOptions& options);

/// LW-2: κ_tot, κ_G, κ_H along a full-batch GD trajectory (tanh [20, n, 10], mean cross-entropy on
/// 10 Gaussian blobs in R^20, 200 points, step 0.5), logged every `every` steps.
struct LwTrajectoryPoint {
  long step = 0;
  double loss = 0;
  GradientCurvature curvature;
};
struct LwTrajectory {
  int width = 0;
  std::uint32_t seed = 0;  ///< data and initialisation (init: seed + 1)
  std::vector<LwTrajectoryPoint> points;
  double median_ratio = 0;  ///< median over the logged steps of |κ_H| / κ_G
};
LwTrajectory lw_trajectory(int width, long steps, long every, std::uint32_t seed);

/// Writes DIR/littwin-wolf.md (the report), DIR/littwin-wolf.csv and, when gnuplot is installed,
/// DIR/littwin-wolf.png and .svg. Returns the report's Markdown.
std::string write_lw_report(const std::vector<LwResult>& results,
                            const LwOptions& options,
                            const std::string& dir,
                            double seconds,
                            const std::vector<LwTrajectory>& trajectories = {});

/// The whole reproduction behind `locus reproduce littwin-wolf`: LW-1 for every configuration of
/// lw_configurations(), then LW-2 trajectories (`quick`: widths 16 and 256, one seed, 400 steps;
/// otherwise widths 16 and 1024, three seeds, 2000 steps), written by write_lw_report into `dir`.
/// Returns the report's Markdown. Reports progress through options.progress.
/// \throws Error if `dir` cannot be written.
std::string lw_reproduction(const LwOptions& options, bool quick, const std::string& dir);

}  // namespace locus::reproductions
