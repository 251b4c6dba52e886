// The gradient flow through SUNDIALS CVODE (locus/solve/flow.hpp).
#include "locus/solve/flow.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "locus/core/activation.hpp"
#include "locus/core/frozen.hpp"
#include "locus/error.hpp"
#include "locus/scalar/ball.hpp"

#include <fmt/format.h>

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

namespace locus {

std::string to_string(FlowStatus status) {
  switch (status) {
    case FlowStatus::Converged:
      return "converged";
    case FlowStatus::TimeBudget:
      return "time-budget";
    case FlowStatus::StepBudget:
      return "step-budget";
    case FlowStatus::SecondsBudget:
      return "seconds-budget";
    case FlowStatus::SolverFailure:
      return "solver-failure";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

struct FlowData {
  const LossFunction<double>* f = nullptr;
  long jacobians = 0;
  bool failed = false;
  std::string error;
};

Eigen::Map<Vec<double>> view(N_Vector v) {
  return {N_VGetArrayPointer(v), static_cast<Eigen::Index>(N_VGetLength(v))};
}

// ydot = −∇L(θ). A LossFunction error is a nonrecoverable failure (returned as −1), and kept.
int rhs(sunrealtype /*t*/, N_Vector y, N_Vector ydot, void* user) {
  auto* d = static_cast<FlowData*>(user);
  try {
    view(ydot) = -d->f->gradient(Vec<double>(view(y)));
  } catch (const std::exception& e) {
    d->failed = true;
    d->error = e.what();
    return -1;
  }
  return view(ydot).allFinite() ? 0 : 1;  // 1: recoverable, CVODE retries with a smaller step
}

// J = ∂ydot/∂θ = −∇²L(θ), the exact Hessian (column-major dense storage).
int jacobian(sunrealtype /*t*/,
             N_Vector y,
             N_Vector /*fy*/,
             SUNMatrix jac,
             void* user,
             N_Vector /*tmp1*/,
             N_Vector /*tmp2*/,
             N_Vector /*tmp3*/) {
  auto* d = static_cast<FlowData*>(user);
  try {
    const Mat<double> h = d->f->hessian(Vec<double>(view(y)));
    const auto p = h.rows();
    Eigen::Map<Mat<double>> out(SUNDenseMatrix_Data(jac), p, p);
    out = -h;
    ++d->jacobians;
  } catch (const std::exception& e) {
    d->failed = true;
    d->error = e.what();
    return -1;
  }
  return 0;
}

struct ContextDeleter {
  void operator()(SUNContext c) const { SUNContext_Free(&c); }
};
struct VectorDeleter {
  void operator()(N_Vector v) const { N_VDestroy(v); }
};
struct MatrixDeleter {
  void operator()(SUNMatrix m) const { SUNMatDestroy(m); }
};
struct SolverDeleter {
  void operator()(SUNLinearSolver s) const { SUNLinSolFree(s); }
};
struct CvodeDeleter {
  void operator()(void* m) const { CVodeFree(&m); }
};

void check(int flag, const char* what) {
  if (flag < 0) throw Error(fmt::format("gradient_flow: CVODE {} failed (flag {})", what, flag));
}

}  // namespace

FlowResult gradient_flow(const Network& network,
                         const Dataset& data,
                         const Vec<double>& theta0,
                         const FlowOptions& options) {
  const LossFunction<double> f(network, data);
  const Eigen::Index p = f.num_parameters();
  if (theta0.size() != p) {
    throw InvalidArgument(
        fmt::format("gradient_flow: θ₀ has {} entries; expected P = {}", theta0.size(), p));
  }
  if (!theta0.allFinite()) {
    throw InvalidArgument("gradient_flow: θ₀ has a NaN or infinite entry");
  }
  if (!(options.target_gradient > 0) || !(options.max_time > 0) || options.max_steps < 1 ||
      !(options.max_seconds > 0) || !(options.relative_tolerance > 0) ||
      !(options.absolute_tolerance > 0)) {
    throw InvalidArgument(fmt::format(
        "gradient_flow: target {}, max_time {}, max_steps {}, max_seconds {}, tolerances {} and "
        "{}: each must be positive",
        options.target_gradient,
        options.max_time,
        options.max_steps,
        options.max_seconds,
        options.relative_tolerance,
        options.absolute_tolerance));
  }
  const auto t0 = Clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  FlowData fd;
  fd.f = &f;
  const auto sample = [&](double t, const Vec<double>& theta, long steps) {
    FlowSample s;
    double loss = 0;
    const Vec<double> g = f.gradient(theta, &loss);
    s.time = t;
    s.loss = loss;
    s.gradient_norm = g.norm();
    s.theta_norm = theta.norm();
    s.steps = steps;
    s.seconds = elapsed();
    return s;
  };

  FlowResult out;
  out.start = sample(0, theta0, 0);
  out.history.push_back(out.start);
  out.history_theta.push_back(theta0);
  out.theta = theta0;
  if (out.start.gradient_norm <= options.target_gradient) {
    out.status = FlowStatus::Converged;
    out.end = out.start;
    if (options.progress) options.progress(out.end);
    return out;
  }

  SUNContext raw_ctx = nullptr;
  check(SUNContext_Create(nullptr, &raw_ctx), "context");
  const std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter> ctx(raw_ctx);
  const std::unique_ptr<std::remove_pointer_t<N_Vector>, VectorDeleter> y(
      N_VNew_Serial(static_cast<sunindextype>(p), raw_ctx));
  view(y.get()) = theta0;
  const std::unique_ptr<void, CvodeDeleter> mem(CVodeCreate(CV_BDF, raw_ctx));
  if (!mem) throw Error("gradient_flow: CVodeCreate failed");
  check(CVodeInit(mem.get(), rhs, 0.0, y.get()), "init");
  check(CVodeSStolerances(mem.get(), options.relative_tolerance, options.absolute_tolerance),
        "tolerances");
  check(CVodeSetUserData(mem.get(), &fd), "user data");
  const std::unique_ptr<std::remove_pointer_t<SUNMatrix>, MatrixDeleter> a(
      SUNDenseMatrix(static_cast<sunindextype>(p), static_cast<sunindextype>(p), raw_ctx));
  const std::unique_ptr<std::remove_pointer_t<SUNLinearSolver>, SolverDeleter> ls(
      SUNLinSol_Dense(y.get(), a.get(), raw_ctx));
  check(CVodeSetLinearSolver(mem.get(), ls.get(), a.get()), "linear solver");
  check(CVodeSetJacFn(mem.get(), jacobian), "Jacobian");
  check(CVodeSetMaxNumSteps(mem.get(), options.max_steps), "step budget");
  check(CVodeSetStopTime(mem.get(), options.max_time), "stop time");
  check(CVodeSetMaxHnilWarns(mem.get(), -1), "warnings");

  double t = 0;
  long steps = 0;
  double next_record = 1e-3;
  double next_progress = 1.0;
  Vec<double> theta = theta0;
  FlowSample last = out.start;
  out.status = FlowStatus::TimeBudget;
  while (true) {
    const int flag = CVode(mem.get(), options.max_time, y.get(), &t, CV_ONE_STEP);
    ++steps;
    theta = view(y.get());
    if (flag < 0) {
      out.status = FlowStatus::SolverFailure;
      out.message = fd.failed ? fd.error
                              : fmt::format("CVODE stopped with flag {} ({}) at t = {:.6g}",
                                            flag,
                                            CVodeGetReturnFlagName(flag),
                                            t);
      break;
    }
    last = sample(t, theta, steps);
    if (t >= next_record || last.gradient_norm <= options.target_gradient) {
      out.history.push_back(last);
      out.history_theta.push_back(theta);
      while (next_record <= t) next_record *= 1.5;
    }
    if (options.progress && last.seconds >= next_progress) {
      options.progress(last);
      next_progress = last.seconds + 1.0;
    }
    if (last.gradient_norm <= options.target_gradient) {
      out.status = FlowStatus::Converged;
      break;
    }
    if (flag == CV_TSTOP_RETURN || t >= options.max_time) {
      out.status = FlowStatus::TimeBudget;
      break;
    }
    if (steps >= options.max_steps) {
      out.status = FlowStatus::StepBudget;
      break;
    }
    if (last.seconds >= options.max_seconds) {
      out.status = FlowStatus::SecondsBudget;
      break;
    }
  }
  out.theta = theta;
  out.end = last;
  if (out.history.empty() || out.history.back().steps != last.steps) {
    out.history.push_back(last);
    out.history_theta.push_back(theta);
  }
  long nfe = 0;
  (void)CVodeGetNumRhsEvals(mem.get(), &nfe);
  out.rhs_evaluations = nfe;
  out.jacobian_evaluations = fd.jacobians;
  if (options.progress) options.progress(out.end);
  return out;
}

FlowDivergence analyse_divergence(const Network& network,
                                  const Dataset& data,
                                  const FlowResult& flow,
                                  int bits) {
  FlowDivergence d;
  const auto n_hist = flow.history.size();
  if (n_hist < 3 || flow.history_theta.size() != n_hist || !(flow.end.time > 0)) {
    d.reason = "the flow is too short to judge (fewer than 3 recorded points)";
    return d;
  }
  // The last stretch: points with t >= t_end/100 (and t > 0).
  const double t_end = flow.end.time;
  std::size_t first = n_hist - 1;
  while (first > 0 && flow.history[first - 1].time >= t_end / 100 &&
         flow.history[first - 1].time > 0) {
    --first;
  }
  const std::size_t count = n_hist - first;
  if (count < 3 || flow.history[first].time > t_end / 10) {
    d.reason = fmt::format(
        "the flow's last stretch has {} recorded points over t in [{:.3g}, {:.3g}]: less than a "
        "decade of flow time to judge",
        count,
        flow.history[first].time,
        t_end);
    return d;
  }
  // Fits over the stretch: ln‖θ‖ = a ln t + c and ‖θ‖ = b ln t + c'.
  double sx = 0, sy = 0, sz = 0, sxx = 0, sxy = 0, sxz = 0;
  bool nondecreasing = true;
  for (std::size_t i = first; i < n_hist; ++i) {
    const double x = std::log(flow.history[i].time);
    const double z = flow.history[i].theta_norm;
    const double y = std::log(std::max(z, 1e-300));
    sx += x;
    sy += y;
    sz += z;
    sxx += x * x;
    sxy += x * y;
    sxz += x * z;
    if (i > first && z < flow.history[i - 1].theta_norm * (1 - 1e-12)) nondecreasing = false;
  }
  const auto m = static_cast<double>(count);
  const double den = m * sxx - sx * sx;
  d.growth_exponent = den > 0 ? (m * sxy - sx * sy) / den : 0;
  d.growth_per_log_time = den > 0 ? (m * sxz - sx * sz) / den : 0;
  const FlowSample& ref = flow.history[first];
  const FlowSample& prev = flow.history[n_hist - 2];
  const FlowSample& last = flow.history[n_hist - 1];
  // Every loss locus has is >= 0 (squared, cross-entropies, an L2 term with c >= 0).
  d.loss_limit_estimate =
      std::clamp(last.time > prev.time
                     ? (last.time * last.loss - prev.time * prev.loss) / (last.time - prev.time)
                     : last.loss,
                 0.0,
                 last.loss);
  const double grew = last.theta_norm - ref.theta_norm;
  // Steady growth: the second half of the stretch (in ln t) grows by at least 0.3 times the first
  // half. A flow converging exponentially to a point grows in the first half and stalls in the
  // second; t^a and log t growth do not stall.
  const double mid_log = 0.5 * (std::log(ref.time) + std::log(last.time));
  std::size_t mid = first;
  while (mid + 1 < n_hist && std::log(flow.history[mid].time) < mid_log) ++mid;
  const double first_half = flow.history[mid].theta_norm - ref.theta_norm;
  const double second_half = last.theta_norm - flow.history[mid].theta_norm;
  const bool steady = second_half > 0 && second_half >= 0.3 * first_half;
  // Diverging: ‖θ‖ never decreased over the stretch, grew by more than 1% (of max(1, ‖θ‖)) and
  // steadily, while L fell.
  d.diverging = nondecreasing && steady && grew > 0.01 * std::max(1.0, ref.theta_norm) &&
                d.growth_per_log_time > 0 && last.loss < ref.loss;
  d.logarithmic = d.diverging && d.growth_exponent < 0.15;
  d.reason = d.diverging
                 ? fmt::format(
                       "‖θ‖ grew from {:.4g} to {:.4g} over t in [{:.3g}, {:.3g}] without ever "
                       "decreasing, while L fell from {:.6g} to {:.6g} and ‖∇L‖ from {:.3e} to "
                       "{:.3e}",
                       ref.theta_norm,
                       last.theta_norm,
                       ref.time,
                       last.time,
                       ref.loss,
                       last.loss,
                       ref.gradient_norm,
                       last.gradient_norm)
                 : fmt::format(
                       "‖θ‖ went from {:.4g} to {:.4g} over t in [{:.3g}, {:.3g}]{}: no steady "
                       "growth",
                       ref.theta_norm,
                       last.theta_norm,
                       ref.time,
                       last.time,
                       !nondecreasing ? ", not monotonically"
                       : !steady      ? ", and the growth stalled in the second half (converging)"
                                      : "");
  if (!d.diverging) return d;

  // Units whose incoming weights grew, with the samples on which a bounded σ is saturated.
  const Vec<double>& th0 = flow.history_theta[first];
  const Vec<double>& th1 = flow.history_theta[n_hist - 1];
  // the units in θ_all (frozen parameters at their values), indexed by the layout network
  const Network layout = network.layout();
  const Vec<double> all0 = expand_free<double>(network, th0);
  const Vec<double> all1 = expand_free<double>(network, th1);
  const LossFunction<double> f(layout, data);
  for (int l = 1; l <= layout.num_layers(); ++l) {
    Mat<double> z;
    const Activation* act = nullptr;
    double slope0 = 0;
    if (l < layout.num_layers()) {
      act = &layout.activation_at(l);
      const bool bounded = act->kind == ActivationKind::Sigmoid ||
                           act->kind == ActivationKind::Tanh || act->kind == ActivationKind::Erf;
      if (bounded) {
        z = f.layer_terms(all1, l).z;
        slope0 = activation_derivatives<double>(*act, 0.0, 1)[1];
      } else {
        act = nullptr;
      }
    }
    for (int j = 0; j < layout.width(l); ++j) {
      double n0 = 0, n1 = 0;
      for (int k = 0; k < layout.input_columns(l); ++k) {
        const auto idx = layout.augmented_index(l, j, k);
        n0 += all0(idx) * all0(idx);
        n1 += all1(idx) * all1(idx);
      }
      n0 = std::sqrt(n0);
      n1 = std::sqrt(n1);
      // A unit grows when its incoming row carries at least a tenth of the growth of ‖θ‖.
      if (!(n1 > n0 && n1 - n0 >= 0.1 * grew)) continue;
      GrowingUnit u;
      u.layer = l;
      u.unit = j;
      u.norm_before = n0;
      u.norm_after = n1;
      u.samples = static_cast<long>(data.size());
      if (act != nullptr) {
        u.saturated = 0;
        for (Eigen::Index i = 0; i < z.rows(); ++i) {
          const double s = activation_derivatives<double>(*act, z(i, j), 1)[1];
          if (std::abs(s) < 1e-2 * slope0) ++u.saturated;
        }
      }
      d.units.push_back(u);
    }
  }
  std::sort(d.units.begin(), d.units.end(), [](const GrowingUnit& a, const GrowingUnit& b) {
    return a.norm_after - a.norm_before > b.norm_after - b.norm_before;
  });

  // The final ray: u = (θ_end − θ_ref)/‖·‖; prove u·∇L < 0 on the box around the segment
  // θ_end + [0, S]u, with S = ‖θ_end − θ_ref‖, S/10, S/100.
  const Vec<double> step = th1 - th0;
  const double length = step.norm();
  if (!(length > 0)) {
    d.ray_method = "the last stretch has zero length";
    return d;
  }
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> fb(network, data);
  Vec<Rational> dir(step.size());
  for (Eigen::Index i = 0; i < step.size(); ++i) dir(i) = Rational(step(i) / length);
  for (const double scale : {1.0, 0.1, 0.01}) {
    const Rational s_len(length * scale);
    Vec<Ball> box(step.size());
    for (Eigen::Index i = 0; i < step.size(); ++i) {
      const Rational a(th1(i));
      const Rational b = a + s_len * dir(i);
      box(i) = a <= b ? Ball::from_interval(a, b) : Ball::from_interval(b, a);
    }
    Vec<Ball> g;
    try {
      g = fb.gradient(box);
    } catch (const Error& e) {
      d.ray_method = fmt::format("the ball gradient over the segment failed: {}", e.what());
      return d;
    }
    Ball slope(0);
    for (Eigen::Index i = 0; i < g.size(); ++i) slope += g(i) * Ball(dir(i));
    if (certainly_negative(slope) == Certainty::True) {
      d.decrease_certified = true;
      d.ray_length = length * scale;
      d.ray_method = fmt::format(
          "u·∇L <= {:.3e} < 0 on the whole segment θ_end + s·u, 0 <= s <= {:.4g} (Arb balls "
          "enclosing ∇L over the segment's box, {} bits)",
          to_double_nearest(slope.upper()),
          length * scale,
          bits);
      return d;
    }
  }
  d.ray_method = fmt::format(
      "u·∇L < 0 not proved on the segment θ_end + s·u for s up to {:.4g}, {:.4g} or {:.4g} (Arb "
      "balls, {} bits): the enclosure over the box is too wide",
      length,
      length / 10,
      length / 100,
      bits);
  return d;
}

}  // namespace locus
