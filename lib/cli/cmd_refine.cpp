// `locus refine FILE --out FILE2 [--digits D] [--arithmetic mpfr:BITS]`: Ceres in double, then
// minimum-norm Newton in MPFR, to a critical point near the file's point (interfaces.md). The
// refined point is written back with `provenance` and `certificate`, the latter holding a rigorous
// bound of ‖∇L‖ from Arb balls at the refined point.
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/cli/reports.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/existence.hpp"
#include "locus/solve/refine.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

// The command's options: the report's (RefineRequest) plus the files and the output form.
struct RefineOptions : RefineRequest {
  std::string file;
  std::string out;
  bool json = false;
};

std::string default_arithmetic(int digits) {
  const double need = 1.5 * digits * std::log2(10.0);
  for (const int bits : {128, 256, 512, 1024}) {
    if (bits >= need) return fmt::format("mpfr:{}", bits);
  }
  return "mpfr:1024";
}

// An upper bound of ‖∇L(θ)‖ from a ball evaluation at the exact point θ.
std::string gradient_bound(const Problem& p, const Vec<Rational>& theta, int bits) {
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(p.network, p.data);
  Vec<Ball> t(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) t(i) = Ball(theta(i));
  return format_bound(norm_upper_bound(f.gradient(t)), true, 4);
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
      for (Eigen::Index i = 0; i < start.size(); ++i) start(i) = Rational(pr.theta(i));
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
  const std::string bound = gradient_bound(p, refined, bits);
  // Existence of a true critical point next to the refined one (nondegenerate points).
  ExistenceProof existence;
  if (converged) existence = prove_critical_point(p.network, p.data, refined, bits);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  report["status"] = to_string(nr.status);
  report["reason"] = nr.reason;
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
  if (converged) {
    Problem q = p;
    q.point = refined;
    q.provenance = {{"command", "locus refine"},
                    {"version", kVersion},
                    {"source", source},
                    {"arithmetic", arithmetic_name},
                    {"digits", opt.digits},
                    {"ceres", opt.ceres},
                    {"seed", nullptr}};
    q.certificate = {{"kind", "critical-point"},
                     {"gradient_norm_bound", bound},
                     {"method",
                      fmt::format("Arb ball enclosure of the gradient at the exact "
                                  "refined point, {} bits",
                                  bits)},
                     {"existence", to_json(existence)},
                     {"newton_status", to_string(nr.status)},
                     {"newton_iterations", static_cast<long>(nr.history.size())}};
    out.refined = std::move(q);
  }
  return out;
}

void print_text(const nlohmann::json& report, const Problem& p, const RefineOptions& opt) {
  const auto str = [](const nlohmann::json& v) { return v.get<std::string>(); };
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("start       {}\n", opt.file);
  if (report.contains("ceres")) {
    const auto& c = report["ceres"];
    fmt::print("ceres       {} ({} iterations, {} formulation): ‖∇L‖ {} -> {}\n",
               str(c["termination"]),
               c["iterations"].get<int>(),
               str(c["formulation"]),
               str(c["gradient_norm_before"]),
               str(c["gradient_norm_after"]));
  }
  const int bits = report["bits"].get<int>();
  fmt::print(
      "newton      {} in {} ({} bits)\n", str(report["status"]), str(report["arithmetic"]), bits);
  for (const auto& h : report["history"]) {
    fmt::print("  {:>3}  ‖∇L‖ {:<14} step {:<14} rank {:<5} inner {}\n",
               h["iteration"].get<int>(),
               str(h["gradient_norm"]),
               str(h["step_norm"]),
               h["rank"].get<long>(),
               h["inner"].get<int>());
  }
  fmt::print("reason      {}\n", str(report["reason"]));
  fmt::print("‖∇L‖ <=     {} (Arb balls, {} bits, at the exact refined point)\n",
             str(report["gradient_norm_bound"]),
             bits);
  if (report.contains("existence")) {
    const auto& e = report["existence"];
    if (e["proved"].get<bool>()) {
      fmt::print("existence   proved: a unique critical point lies within max-norm {} ({})\n",
                 str(e["radius"]),
                 str(e["method"]));
    } else {
      fmt::print("existence   not proved: {}\n", e.contains("reason") ? str(e["reason"]) : "");
    }
    fmt::print("wrote       {}\n", opt.out);
  } else {
    fmt::print("not written: no critical point reached\n");
  }
  fmt::print("seconds     {}\n", str(report["seconds"]));
}

std::string checked_arithmetic(const RefineRequest& opt) {
  if (opt.digits < 1 || opt.digits > 300) {
    throw InvalidArgument(fmt::format("--digits {}: expected 1 to 300", opt.digits));
  }
  const std::string name = opt.arithmetic.empty() ? default_arithmetic(opt.digits) : opt.arithmetic;
  const Arithmetic a = parse_arithmetic(name);
  if (a.kind == ScalarKind::Rational || a.kind == ScalarKind::Ball) {
    throw InvalidArgument(fmt::format(
        "--arithmetic {}: refine needs a floating arithmetic (double, long-double, float128, "
        "mpfr:BITS)",
        name));
  }
  return name;
}

RefineOutcome refine_checked(const Problem& p,
                             const RefineRequest& opt,
                             const std::string& source) {
  const Arithmetic a = parse_arithmetic(checked_arithmetic(opt));
  if (!p.point) {
    throw ParseError(
        fmt::format("{}: point: missing; `locus refine` needs a starting point "
                    "(P = {} numbers)",
                    source,
                    p.network.num_parameters()));
  }
  return dispatch(a, [&]<class S>(std::type_identity<S>) -> RefineOutcome {
    if constexpr (ScalarTraits<S>::is_rigorous) {
      return {};  // rejected by checked_arithmetic
    } else {
      return refine_in<S>(opt, p, a.name(), source);
    }
  });
}

int run(const RefineOptions& opt) {
  checked_arithmetic(opt);  // bad options before reading the file
  const Problem p = read_problem_file(opt.file);
  RefineOutcome out = refine_checked(p, opt, opt.file);
  if (out.refined) {
    write_problem_file(*out.refined, opt.out);
    out.report["out"] = opt.out;
  }
  if (opt.json) {
    fmt::print("{}\n", out.report.dump(2));
  } else {
    print_text(out.report, p, opt);
  }
  return out.refined ? 0 : 1;
}

}  // namespace

RefineOutcome refine_report(const Problem& p,
                            const RefineRequest& request,
                            const std::string& source) {
  return refine_checked(p, request, source);
}

Run add_refine(CLI::App& app) {
  auto opt = std::make_shared<RefineOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a starting point")
      ->required();
  app.add_option("-o,--out", opt->out, "refined problem file to write")->required();
  app.add_option("-d,--digits", opt->digits, "stop when ‖∇L‖ <= 10^-digits")->capture_default_str();
  app.add_option("-a,--arithmetic",
                 opt->arithmetic,
                 "Newton's arithmetic (default: the smallest mpfr:BITS with 1.5·digits·log2(10) "
                 "bits)");
  app.add_flag("!--no-ceres", opt->ceres, "skip the Ceres polish in double");
  app.add_flag("--least-squares",
               opt->least_squares,
               "Ceres on the residuals f(x_i) - y_i (squared loss, minima only)");
  app.add_option("--max-iterations", opt->max_iterations, "Newton iterations")
      ->capture_default_str();
  app.add_flag("--json", opt->json, "JSON report");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
