// `locus classify FILE [--arithmetic A]`: critical point? local minimum / saddle / degenerate,
// with the certificate (docs/interfaces.md).
#include <chrono>
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/api/jobs.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/certificate.hpp"
#include "locus/solve/classify.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

// The command's options: the report's (ClassifyRequest) plus the file and the output form.
struct ClassifyCliOptions : api::ClassifyRequest {
  std::string file;
  std::string arithmetic_name = "ball:256";
  std::string tolerance_text;
  bool json = false;
  std::string certificate_file;
};

int run(ClassifyCliOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  opt.arithmetic = parse_arithmetic(opt.arithmetic_name);  // names parsed once, here
  if (!opt.tolerance_text.empty()) opt.gradient_tolerance = parse_rational(opt.tolerance_text);
  const Problem p = read_problem_file(opt.file);
  const Classification c = api::classify(p, opt, opt.file);
  if (!opt.certificate_file.empty()) {
    std::string why;
    const auto cert = classification_certificate(p, c, &why);
    if (!cert) throw InvalidArgument("--certificate: no certificate: " + why);
    write_certificate(*cert, opt.certificate_file);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.json) {
    fmt::print("{}\n", api::to_json(c, seconds).dump(2));
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
  // The three statements named apart: an exact critical point, a critical point proved within r,
  // or only ε-stationary (docs/refine-classify.md).
  std::string critical = c.critical ? "yes" : "no";
  if (c.stationarity == Stationarity::Exact) {
    critical = "exact critical point";
  } else if (c.stationarity == Stationarity::ProvedNearby) {
    critical = c.critical_point_radius
                   ? fmt::format("critical point proved within max-norm {}",
                                 format_bound(*c.critical_point_radius, true, 4))
                   : "critical point proved nearby";
  } else if (c.stationarity == Stationarity::EpsilonStationary) {
    critical = "epsilon-stationary only";
  }
  fmt::print("critical    {}: {}\n", critical, c.criticality);
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

Run add_classify(CLI::App& app) {
  auto opt = std::make_shared<ClassifyCliOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a point")->required();
  app.add_option("-a,--arithmetic",
                 opt->arithmetic_name,
                 "rational (exact), ball:BITS / mpfr:BITS (certified with balls), or a float type "
                 "(evidence only)")
      ->capture_default_str();
  app.add_option("--max-bits", opt->max_bits, "precision cap of the ball escalation")
      ->capture_default_str();
  app.add_option("--gradient-tolerance",
                 opt->tolerance_text,
                 "certified ‖∇L‖ bound below which a non-exact point counts as critical "
                 "(default 2^(-BITS/4))");
  app.add_option("--certificate",
                 opt->certificate_file,
                 "also write a locus-certificate/1 of the classification to this file (critical "
                 "point + inertia; check it with locus-verify, docs/certificates.md)");
  app.add_flag("--json", opt->json, "JSON output");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
