// `locus classify FILE [--arithmetic A]`: critical point? local minimum / saddle / degenerate,
// with the certificate (interfaces.md).
#include <chrono>
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/cli/reports.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/classify.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

// The command's options: the report's (ClassifyRequest) plus the file and the output form.
struct ClassifyCliOptions : ClassifyRequest {
  std::string file;
  bool json = false;
};

Classification classify_checked(const Problem& p,
                                const ClassifyRequest& request,
                                const std::string& where) {
  const Arithmetic a = parse_arithmetic(request.arithmetic);
  if (!p.point) {
    throw ParseError(
        fmt::format("{}: point: missing; `locus classify` needs the parameter vector θ "
                    "(P = {} numbers)",
                    where,
                    p.network.num_parameters()));
  }
  ClassifyOptions co;
  co.max_bits = request.max_bits;
  if (!request.gradient_tolerance.empty()) {
    co.gradient_tolerance = parse_rational(request.gradient_tolerance);
    if (*co.gradient_tolerance < 0) {
      throw InvalidArgument(fmt::format("--gradient-tolerance {}: expected a nonnegative number",
                                        request.gradient_tolerance));
    }
  }
  return classify_point(p, a, co);
}

nlohmann::json classification_json(const Classification& c, double seconds) {
  nlohmann::json j;
  j["arithmetic"] = c.arithmetic;
  j["critical"] = c.critical;
  j["criticality"] = c.criticality;
  j["kind"] = to_string(c.kind);
  j["certified"] = c.certified;
  j["stationarity"] = to_string(c.stationarity);
  if (!c.conditional_on.empty()) j["conditional_on"] = c.conditional_on;
  // "inertia" only when n0 counts exact zeros; an ε-cluster is reported as a cluster.
  if (c.inertia_known && c.zeros_exact) {
    j["inertia"] = {{"positive", c.inertia.positive},
                    {"negative", c.inertia.negative},
                    {"zero", c.inertia.zero}};
  } else {
    j["inertia"] = nullptr;
  }
  if (c.inertia_known && !c.zeros_exact) {
    j["cluster"] = {{"positive", c.inertia.positive},
                    {"negative", c.inertia.negative},
                    {"size", c.inertia.zero},
                    {"epsilon", format_bound(c.cluster_epsilon, true, 4)}};
  }
  j["certificate"] = c.certificate;
  if (!c.reason.empty()) j["reason"] = c.reason;
  j["seconds"] = fmt::format("{:.3f}", seconds);
  return j;
}

int run(const ClassifyCliOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  parse_arithmetic(opt.arithmetic);
  const Problem p = read_problem_file(opt.file);
  const Classification c = classify_checked(p, opt, opt.file);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.json) {
    fmt::print("{}\n", classification_json(c, seconds).dump(2));
    return 0;
  }
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("arithmetic  {}\n", c.arithmetic);
  fmt::print("kind        {}{}\n",
             to_string(c.kind),
             !c.conditional_on.empty() ? " (not certified: conditional on " + c.conditional_on + ")"
             : !c.certified            ? " (not certified: evidence only)"
             : c.kind == PointKind::Undecided
                 ? " (the inertia is certified; the kind is not decided)"
                 : " (certified)");
  fmt::print("critical    {}: {}\n",
             c.stationarity == Stationarity::EpsilonStationary ? "epsilon-stationary"
             : c.critical                                      ? "yes"
                                                               : "no",
             c.criticality);
  if (c.inertia_known && c.zeros_exact) {
    fmt::print("inertia     (n+, n-, n0) = {}\n", to_string(c.inertia));
  } else if (c.inertia_known) {
    fmt::print(
        "cluster     (n+, n-) = ({}, {}) outside [-eps, eps], {} eigenvalue(s) with |λ| <= "
        "{} (not proved to be zeros)\n",
        c.inertia.positive,
        c.inertia.negative,
        c.inertia.zero,
        format_bound(c.cluster_epsilon, true, 4));
  }
  for (const auto& [k, v] : c.certificate.items()) {
    fmt::print("  {:<22} {}\n", k, v.is_string() ? v.get<std::string>() : v.dump());
  }
  if (!c.reason.empty()) fmt::print("reason      {}\n", c.reason);
  fmt::print("seconds     {:.3f}\n", seconds);
  return 0;
}

}  // namespace

nlohmann::json classify_report(const Problem& p, const ClassifyRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  const Classification c = classify_checked(p, request, "problem");
  return classification_json(
      c, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

Run add_classify(CLI::App& app) {
  auto opt = std::make_shared<ClassifyCliOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a point")->required();
  app.add_option("-a,--arithmetic",
                 opt->arithmetic,
                 "rational (exact), ball:BITS / mpfr:BITS (certified with balls), or a float type "
                 "(evidence only)")
      ->capture_default_str();
  app.add_option("--max-bits", opt->max_bits, "precision cap of the ball escalation")
      ->capture_default_str();
  app.add_option("--gradient-tolerance",
                 opt->gradient_tolerance,
                 "certified ‖∇L‖ bound below which a non-exact point counts as critical "
                 "(default 2^(-BITS/4))");
  app.add_flag("--json", opt->json, "JSON output");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
