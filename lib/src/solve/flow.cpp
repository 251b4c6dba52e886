// The gradient flow through SUNDIALS CVODE (locus/solve/flow.hpp).
#include "locus/solve/flow.hpp"

#include <chrono>
#include <cmath>
#include <memory>

#include "locus/error.hpp"

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
  if (out.history.empty() || out.history.back().steps != last.steps) out.history.push_back(last);
  long nfe = 0;
  (void)CVodeGetNumRhsEvals(mem.get(), &nfe);
  out.rhs_evaluations = nfe;
  out.jacobian_evaluations = fd.jacobians;
  if (options.progress) options.progress(out.end);
  return out;
}

}  // namespace locus
