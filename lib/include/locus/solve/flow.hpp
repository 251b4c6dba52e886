// locus/solve/flow.hpp: the gradient flow dθ/dt = −∇L(θ), integrated by SUNDIALS CVODE (BDF, the
// stiff implicit method, with the exact Hessian −∇²L as the Jacobian), from any starting point.
//
// The flow is globally defined for the losses locus has and L decreases along it; it either
// approaches a critical point (‖∇L‖ → 0) or leaves every bounded set (‖θ‖ → ∞, e.g. saturating
// units or cross-entropy on separable data). gradient_flow follows it until ‖∇L‖ reaches a target
// or a budget (flow time, steps, seconds) runs out, and says which. Double precision: what it
// returns is a starting point for Newton and the existence proof (solve/refine.hpp), never a
// verdict.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"

namespace locus {

/// One point on the flow.
struct FlowSample {
  double time = 0;           ///< flow time t
  double loss = 0;           ///< L(θ(t))
  double gradient_norm = 0;  ///< ‖∇L(θ(t))‖₂
  double theta_norm = 0;     ///< ‖θ(t)‖₂
  long steps = 0;            ///< CVODE steps so far
  double seconds = 0;        ///< wall-clock seconds so far
};

/// Options of gradient_flow.
struct FlowOptions {
  double target_gradient = 1e-6;  ///< stop when ‖∇L‖₂ <= this (> 0)
  double max_time = 1e15;         ///< flow-time budget
  long max_steps = 20000;         ///< CVODE step budget
  double max_seconds = 60;        ///< wall-clock budget
  double relative_tolerance = 1e-8;
  double absolute_tolerance = 1e-10;
  /// Called about once a second with the current point of the flow (a progress display), and once
  /// at the end. May be empty.
  std::function<void(const FlowSample&)> progress;
};

/// Why gradient_flow stopped.
enum class FlowStatus {
  Converged,      ///< ‖∇L‖ <= target
  TimeBudget,     ///< flow time max_time reached
  StepBudget,     ///< max_steps CVODE steps taken
  SecondsBudget,  ///< max_seconds of wall-clock time used
  SolverFailure   ///< CVODE gave up (the message says why)
};
/// "converged", "time-budget", "step-budget", "seconds-budget", "solver-failure". Does not throw.
std::string to_string(FlowStatus status);

/// The flow's end and its history.
struct FlowResult {
  FlowStatus status = FlowStatus::SolverFailure;
  Vec<double> theta;      ///< θ at the end
  FlowSample start, end;  ///< the first and the last point
  /// Points at roughly log-spaced flow times, start and end included, and θ at each.
  std::vector<FlowSample> history;
  std::vector<Vec<double>> history_theta;
  long rhs_evaluations = 0;       ///< gradients evaluated by CVODE
  long jacobian_evaluations = 0;  ///< exact Hessians evaluated by CVODE
  std::string message;            ///< CVODE's flag on failure, else empty
};

/// A unit whose incoming weights grew over the flow's last stretch.
struct GrowingUnit {
  int layer = 0;           ///< weight layer l (1..L)
  int unit = 0;            ///< row j of W̃_l
  double norm_before = 0;  ///< ‖W̃_l[j, :]‖₂ at the reference point (about t_end/100)
  double norm_after = 0;   ///< and at the end
  long saturated = -1;     ///< samples where σ_l′(z)/σ_l′(0) < 1/100; −1: not a bounded σ
  long samples = 0;        ///< N
};

/// What the end of a flow that found no critical point says about where it goes.
struct FlowDivergence {
  bool diverging = false;  ///< ‖θ‖ grew steadily over the last stretch (at least a decade of t)
  std::string reason;      ///< why it is, or is not, called diverging
  double growth_exponent = 0;      ///< a in ‖θ‖ ~ t^a, least squares over the last stretch
  double growth_per_log_time = 0;  ///< d‖θ‖/d ln t over the last stretch
  bool logarithmic = false;  ///< ‖θ‖ grows like log t (a < 0.15): the separable-data signature
  /// L∞ from L ≈ L∞ + c/t on the last two points, clamped to [0, L_end] (an estimate).
  double loss_limit_estimate = 0;
  /// Units whose incoming row grew by at least a tenth of ‖θ‖'s growth, largest growth first.
  std::vector<GrowingUnit> units;
  /// L strictly decreases along the segment θ_end + s·u, 0 <= s <= ray_length, u the unit
  /// direction of the last stretch: proved with Arb balls enclosing ∇L over the segment's box.
  bool decrease_certified = false;
  double ray_length = 0;
  std::string ray_method;  ///< how, or why not
};

/// Reads the last stretch of a flow (history points with t >= t_end/100). Balls at `bits` for the
/// ray. Does not throw for a flow too short to judge: `reason` says so.
FlowDivergence analyse_divergence(const Network& network,
                                  const Dataset& data,
                                  const FlowResult& flow,
                                  int bits = 128);

/// Follows dθ/dt = −∇L from θ₀ (double, CVODE BDF with the exact Hessian Jacobian and a dense
/// solver).
/// \throws InvalidArgument for a θ₀ of the wrong length or with NaN/Inf entries, or nonpositive
///   tolerances, target or budgets; NotDifferentiable/UnsupportedScalar as LossFunction<double>.
FlowResult gradient_flow(const Network& network,
                         const Dataset& data,
                         const Vec<double>& theta0,
                         const FlowOptions& options = {});

}  // namespace locus
