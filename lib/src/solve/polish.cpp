// Ceres polishing in double (locus/solve/refine.hpp). The only translation unit that includes
// Ceres; no Ceres type leaves it.
#include <chrono>
#include <cmath>

#include "locus/config.hpp"
#include "locus/error.hpp"
#include "locus/solve/refine.hpp"

#include <fmt/format.h>

#if LOCUS_HAS_CERES
#include <mutex>

#include <ceres/ceres.h>
#include <glog/logging.h>
#endif

namespace locus {
namespace {

void validate(const Network& network, const Vec<double>& theta) {
  const auto P = static_cast<Eigen::Index>(network.num_parameters());
  if (theta.size() != P) {
    throw InvalidArgument(
        fmt::format("ceres_polish: θ has {} entries, expected P = {}", theta.size(), P));
  }
  for (Eigen::Index i = 0; i < P; ++i) {
    if (!std::isfinite(theta(i))) {
      throw InvalidArgument(
          fmt::format("ceres_polish: θ[{}] is {}, expected a finite number", i, theta(i)));
    }
  }
}

#if LOCUS_HAS_CERES

bool all_finite(const double* v, Eigen::Index n) {
  for (Eigen::Index i = 0; i < n; ++i) {
    if (!std::isfinite(v[i])) return false;
  }
  return true;
}

// Residuals ∇L(θ), Jacobian the exact Hessian: zeros of the residual are critical points of any
// index, so Ceres finds saddles as well as minima.
class GradientResidual final : public ceres::CostFunction {
 public:
  explicit GradientResidual(const LossFunction<double>& f, int p) : f_(f), p_(p) {
    set_num_residuals(p);
    mutable_parameter_block_sizes()->push_back(p);
  }
  bool Evaluate(double const* const* parameters,
                double* residuals,
                double** jacobians) const override {
    const Vec<double> theta = Eigen::Map<const Vec<double>>(parameters[0], p_);
    const Vec<double> g = f_.gradient(theta);
    Eigen::Map<Vec<double>>(residuals, p_) = g;
    if (!all_finite(residuals, p_)) return false;
    if (jacobians != nullptr && jacobians[0] != nullptr) {
      const Mat<double> h = f_.hessian(theta);
      Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          jacobians[0], p_, p_) = h;
      if (!all_finite(jacobians[0], static_cast<Eigen::Index>(p_) * p_)) return false;
    }
    return true;
  }

 private:
  const LossFunction<double>& f_;
  int p_;
};

// Squared loss: residuals √s (f(x_i) − y_i), Jacobian √s J (s = 1 for sum, 1/N for mean), so that
// ½‖r‖² = L.
class LeastSquaresResidual final : public ceres::CostFunction {
 public:
  LeastSquaresResidual(const LossFunction<double>& f, int p, int m, double scale)
      : f_(f), p_(p), m_(m), scale_(std::sqrt(scale)) {
    set_num_residuals(m);
    mutable_parameter_block_sizes()->push_back(p);
  }
  bool Evaluate(double const* const* parameters,
                double* residuals,
                double** jacobians) const override {
    const Vec<double> theta = Eigen::Map<const Vec<double>>(parameters[0], p_);
    const Mat<double> e = f_.residuals(theta);  // N x n_L, e = f - y
    const Eigen::Index nl = e.cols();
    for (Eigen::Index i = 0; i < e.rows(); ++i) {
      for (Eigen::Index c = 0; c < nl; ++c) residuals[i * nl + c] = scale_ * e(i, c);
    }
    if (!all_finite(residuals, m_)) return false;
    if (jacobians != nullptr && jacobians[0] != nullptr) {
      const Mat<double> j = f_.output_jacobian(theta) * scale_;
      Eigen::Map<Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          jacobians[0], m_, p_) = j;
    }
    return true;
  }

 private:
  const LossFunction<double>& f_;
  int p_;
  int m_;
  double scale_;
};

#endif

}  // namespace

PolishReport ceres_polish(const Network& network,
                          const Dataset& data,
                          const Vec<double>& theta,
                          const PolishOptions& options) {
  validate(network, theta);
  if (options.formulation == PolishFormulation::LeastSquares && network.loss != LossKind::Squared) {
    throw InvalidArgument(
        "ceres_polish: the least-squares formulation needs the squared loss; use the gradient "
        "formulation for cross-entropy");
  }
  if (options.formulation == PolishFormulation::LeastSquares && network.l2 != 0) {
    throw InvalidArgument(
        "ceres_polish: the least-squares formulation covers the data residuals only, not the L2 "
        "term; use the gradient formulation for a network with l2");
  }
  PolishReport rep;
  rep.formulation =
      options.formulation == PolishFormulation::Gradient ? "gradient" : "least-squares";
  rep.theta = theta;
  const LossFunction<double> f(network, data);
  rep.initial_gradient_norm = f.gradient(theta).norm();
  rep.final_gradient_norm = rep.initial_gradient_norm;
#if LOCUS_HAS_CERES
  // Ceres reports through glog; locus reports through PolishReport. Keep glog quiet (errors such
  // as "residual evaluation failed" are in the report's message).
  static std::once_flag quiet;
  std::call_once(quiet, [] { FLAGS_minloglevel = google::GLOG_FATAL; });
  const auto t0 = std::chrono::steady_clock::now();
  const int p = static_cast<int>(network.num_parameters());
  Vec<double> x = theta;
  ceres::Problem::Options popt;
  popt.cost_function_ownership = ceres::TAKE_OWNERSHIP;
  ceres::Problem problem(popt);
  if (options.formulation == PolishFormulation::Gradient) {
    problem.AddResidualBlock(new GradientResidual(f, p), nullptr, x.data());
  } else {
    const int m = static_cast<int>(data.size() * network.width(network.num_layers()));
    const double scale =
        to_double_nearest(network.loss_scale) *
        (network.reduction == Reduction::Mean ? 1.0 / static_cast<double>(data.size()) : 1.0);
    problem.AddResidualBlock(new LeastSquaresResidual(f, p, m, scale), nullptr, x.data());
  }
  ceres::Solver::Options so;
  so.minimizer_type = ceres::TRUST_REGION;
  so.trust_region_strategy_type = ceres::LEVENBERG_MARQUARDT;
  so.linear_solver_type = ceres::DENSE_QR;
  so.max_num_iterations = options.max_iterations;
  so.gradient_tolerance = options.gradient_tolerance;
  so.function_tolerance = options.function_tolerance;
  so.parameter_tolerance = options.parameter_tolerance;
  so.num_threads = options.threads > 0 ? options.threads : 2;
  so.logging_type = ceres::SILENT;
  so.minimizer_progress_to_stdout = false;
  ceres::Solver::Summary summary;
  ceres::Solve(so, &problem, &summary);
  rep.termination = ceres::TerminationTypeToString(summary.termination_type);
  rep.message = summary.message;
  rep.iterations = static_cast<int>(summary.iterations.size());
  rep.initial_cost = summary.initial_cost;
  rep.final_cost = summary.final_cost;
  rep.usable = summary.IsSolutionUsable();
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (rep.usable && x.allFinite()) {
    rep.theta = x;
    rep.final_gradient_norm = f.gradient(x).norm();
  }
#else
  rep.available = false;
  rep.termination = "UNAVAILABLE";
  rep.message = "locus was built without Ceres (LOCUS_WITH_CERES=OFF)";
#endif
  return rep;
}

}  // namespace locus
