// The refine job (locus/api/jobs.hpp): Ceres in double, then minimum-norm Newton in a floating
// arithmetic, to a critical point near the given point, with an Arb bound of ‖∇L‖ and a Krawczyk
// existence proof at the refined point (docs/refine-classify.md).
#include "locus/solve/refine.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "locus/api/jobs.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/existence.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::api {

namespace {

Arithmetic default_arithmetic(int digits) {
  const double need = 1.5 * digits * std::log2(10.0);
  for (const int bits : {128, 256, 512, 1024}) {
    if (bits >= need) return Arithmetic::mpfr(bits);
  }
  return Arithmetic::mpfr(1024);
}

// An upper bound of ‖∇L(θ)‖ from a ball evaluation at the exact point θ, and whether the gradient
// is resolved there: some component's enclosure excludes 0 with at least 3 bits of relative
// accuracy, so ∇L(θ) ≠ 0 is proved and ‖∇L‖ is not rounding noise of that precision.
struct GradientEnclosure {
  std::string bound;
  bool resolved = false;
};

GradientEnclosure gradient_enclosure(const Problem& p, const Vec<Rational>& theta, int bits) {
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(p.network, p.data);
  Vec<Ball> t(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) t(i) = Ball(theta(i));
  const Vec<Ball> g = f.gradient(t);
  GradientEnclosure out;
  if (!std::all_of(g.begin(), g.end(), [](const Ball& b) { return b.is_finite(); })) {
    out.bound = "inf (the ball enclosure of the gradient is not finite there)";
    return out;
  }
  out.bound = format_bound(norm_upper_bound(g), true, 4);
  for (Eigen::Index i = 0; i < g.size(); ++i) {
    if (g(i).is_finite() && g(i).rel_accuracy_bits() >= 3) out.resolved = true;
  }
  return out;
}

template <class S>
RefineOutcome refine_in(const RefineRequest& opt,
                        const Problem& p,
                        const std::string& arithmetic_name,
                        const std::string& source) {
  const auto t0 = std::chrono::steady_clock::now();
  nlohmann::json report;
  Vec<Rational> start = *p.point;
  // 1. Ceres polish in double.
  if (opt.ceres) {
    PolishOptions po;
    po.max_iterations = opt.ceres_max_iterations;
    po.formulation =
        opt.least_squares ? PolishFormulation::LeastSquares : PolishFormulation::Gradient;
    const PolishReport pr = ceres_polish(p.network, p.data, p.point_as<double>(), po);
    report["ceres"] = {{"formulation", pr.formulation},
                       {"termination", pr.termination},
                       {"message", pr.message},
                       {"iterations", pr.iterations},
                       {"usable", pr.usable},
                       {"gradient_norm_before", fmt::format("{:.6e}", pr.initial_gradient_norm)},
                       {"gradient_norm_after", fmt::format("{:.6e}", pr.final_gradient_norm)},
                       {"seconds", fmt::format("{:.3f}", pr.seconds)}};
    if (pr.usable && pr.final_gradient_norm < pr.initial_gradient_norm) {
      start = pr.theta.cast<Rational>();
    }
  }
  // 2. Newton in S.
  Vec<S> theta(start.size());
  for (Eigen::Index i = 0; i < start.size(); ++i) {
    theta(i) = ScalarTraits<S>::from_rational(start(i));
  }
  NewtonOptions no;
  no.digits = opt.digits;
  no.max_iterations = opt.max_iterations;
  no.max_seconds = opt.max_seconds;
  const NewtonResult<S> nr = newton_refine<S>(p.network, p.data, theta, no);
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : nr.history) {
    history.push_back({{"iteration", h.iteration},
                       {"gradient_norm", h.gradient_norm},
                       {"step_norm", h.step_norm},
                       {"rank", h.rank},
                       {"inner", h.inner}});
  }
  const bool converged = nr.status == NewtonStatus::Converged;
  Vec<Rational> refined(nr.theta.size());
  for (Eigen::Index i = 0; i < refined.size(); ++i) {
    refined(i) = ScalarTraits<S>::to_rational(nr.theta(i));
  }
  const int bits = ScalarTraits<S>::digits();
  const GradientEnclosure enclosure = gradient_enclosure(p, refined, bits);
  const std::string& bound = enclosure.bound;
  // When Newton stopped short, say which of the two reasons it is.
  std::string reason = nr.reason;
  if (!converged) {
    report["stop"] = enclosure.resolved ? "no-critical-point-within-reach" : "precision-floor";
    reason += enclosure.resolved
                  ? fmt::format(
                        "; ∇L is resolved at {} bits (its Arb enclosure excludes 0 with "
                        "‖∇L‖ <= {}), so this is not the precision floor: no critical point "
                        "within Newton's reach from here",
                        bits,
                        bound)
                  : fmt::format(
                        "; ∇L is not resolved at {} bits (its Arb enclosure contains 0): the "
                        "precision floor of {}, a wider arithmetic may go further",
                        bits,
                        arithmetic_name);
  }
  // Existence of a true critical point next to the refined one (nondegenerate points).
  ExistenceProof existence;
  if (converged) existence = prove_critical_point(p.network, p.data, refined, bits);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report["status"] = to_string(nr.status);
  report["reason"] = reason;
  report["arithmetic"] = arithmetic_name;
  report["bits"] = bits;
  report["digits"] = opt.digits;
  report["iterations"] = static_cast<long>(nr.history.size());
  report["gradient_norm"] = ScalarTraits<S>::to_string(nr.gradient_norm);
  report["gradient_norm_bound"] = bound;
  if (converged) report["existence"] = to_json(existence);
  report["loss"] = ScalarTraits<S>::to_string(nr.loss);
  report["history"] = history;
  report["seconds"] = fmt::format("{:.3f}", seconds);
  RefineOutcome out;
  out.report = report;
  Problem q = p;
  q.point = refined;
  q.provenance = {{"command", "locus refine"},
                  {"version", kVersion},
                  {"source", source},
                  {"arithmetic", arithmetic_name},
                  {"digits", opt.digits},
                  {"ceres", opt.ceres},
                  {"seed", nullptr}};
  if (converged) {
    q.certificate = {{"kind", "critical-point"},
                     {"gradient_norm_bound", bound},
                     {"method",
                      fmt::format("Arb ball enclosure of the gradient at the exact "
                                  "refined point, {} bits",
                                  bits)},
                     {"existence", to_json(existence)},
                     {"newton_status", to_string(nr.status)},
                     {"newton_iterations", static_cast<long>(nr.history.size())}};
    const auto unsupported = certificate_unsupported(q);
    if (unsupported) {
      out.certificate_note = *unsupported;
    } else if (existence.proved && existence.radius > 0) {
      Certificate cert;
      cert.statement = fmt::format(
          "a unique critical point of the loss lies within max-norm {} of the point (the exact "
          "radius is in the krawczyk fact)",
          format_bound(existence.radius, true, 4));
      cert.produced_by = fmt::format("locus {} refine", kVersion);
      cert.problem = certificate_problem(q);
      cert.facts.push_back(
          krawczyk_fact(refined, existence.radius, existence.preconditioner, existence.bits));
      out.certificate = std::move(cert);
    } else {
      out.certificate_note = existence.proved ? "the gradient is exactly 0 at the refined point"
                                              : "the existence proof failed: " + existence.reason;
    }
    out.refined = std::move(q);
  } else {
    out.certificate_note = "Newton did not converge: " + reason;
    // The best point reached, for inspection: no certificate, and a provenance that says so.
    q.certificate = nullptr;
    q.provenance["status"] = to_string(nr.status);
    q.provenance["note"] =
        "where Newton stopped short: NOT a critical point; no certificate (" + reason + ")";
    out.stopped = std::move(q);
  }
  return out;
}

}  // namespace

Arithmetic checked_arithmetic(const RefineRequest& opt) {
  if (opt.digits < 1 || opt.digits > 300) {
    throw InvalidArgument(fmt::format("--digits {}: expected 1 to 300", opt.digits));
  }
  const Arithmetic a = opt.arithmetic ? *opt.arithmetic : default_arithmetic(opt.digits);
  if (is_rigorous(a)) {
    throw InvalidArgument(fmt::format(
        "--arithmetic {}: refine needs a floating arithmetic (double, long-double, float128, "
        "mpfr:BITS)",
        a.name()));
  }
  return a;
}

RefineOutcome refine_checked(const Problem& p,
                             const RefineRequest& opt,
                             const std::string& source) {
  const Arithmetic a = checked_arithmetic(opt);
  require_point(p, source, "`locus refine` needs a starting point");
  return dispatch(a, [&]<class S>(std::type_identity<S>) -> RefineOutcome {
    if constexpr (ScalarTraits<S>::is_rigorous) {
      return {};  // rejected by checked_arithmetic
    } else {
      return refine_in<S>(opt, p, a.name(), source);
    }
  });
}

RefineOutcome refine_report(const Problem& p,
                            const RefineRequest& request,
                            const std::string& source) {
  return refine_checked(p, request, source);
}

}  // namespace locus::api
