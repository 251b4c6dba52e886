// `locus certify FILE [--out FILE2]`: from the file's point to a certified verdict — the gradient
// flow (CVODE), Ceres and MPFR Newton, the Krawczyk existence proof, classify (docs/certify.md).
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "commands.hpp"

#include "locus/api/certify.hpp"
#include "locus/api/figures.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

struct CertifyOptions {
  std::string file;
  std::string out;
  api::CertifyRequest request;
  std::string newton_arithmetic;
  std::string classify_arithmetic = "ball:256";
  std::string plot;  ///< figure prefix
  bool json = false;
  bool quiet = false;
  std::string certificate;  ///< --certificate FILE
};

void print_text(const api::CertifyOutcome& o, const Problem& p, const CertifyOptions& opt) {
  const FlowResult& f = o.flow;
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("start       {}: L = {:.12g}, ‖∇L‖ = {:.3e}, ‖θ‖ = {:.4g}\n",
             opt.file,
             f.start.loss,
             f.start.gradient_norm,
             f.start.theta_norm);
  fmt::print(
      "flow        {} at t = {:.4g} ({} steps, {} exact Hessians, {:.2f} s): L = {:.12g}, "
      "‖∇L‖ = {:.3e}, ‖θ‖ = {:.4g}\n",
      to_string(f.status),
      f.end.time,
      f.end.steps,
      f.jacobian_evaluations,
      f.end.seconds,
      f.end.loss,
      f.end.gradient_norm,
      f.end.theta_norm);
  if (!f.message.empty()) fmt::print("            {}\n", f.message);
  const nlohmann::json& r = o.refine;
  fmt::print("newton      {} in {}: ‖∇L‖ <= {} (Arb balls at the exact refined point)\n",
             r.value("status", std::string("?")),
             r.value("arithmetic", std::string("?")),
             r.value("gradient_norm_bound", std::string("?")));
  if (r.contains("existence")) print_existence(r["existence"]);
  if (o.classification) {
    const Classification& c = *o.classification;
    fmt::print("kind        {} ({})\n",
               to_string(c.kind),
               c.certified ? "certified, " + c.arithmetic : "not certified");
    if (c.inertia_known) {
      fmt::print("inertia     (n+, n-, n0) = ({}, {}, {})\n",
                 c.inertia.positive,
                 c.inertia.negative,
                 c.inertia.zero);
    }
    if (!c.reason.empty()) fmt::print("reason      {}\n", c.reason);
  }
  if (o.stages.size() > 1) {
    for (std::size_t k = 0; k < o.stages.size(); ++k) {
      const api::CertifyStage& st = o.stages[k];
      fmt::print(
          "leg {:<7} target {:.1e}: {} at t = {:.4g} ({} steps), L = {:.12g}, ‖∇L‖ = {:.3e}; "
          "Newton {}\n",
          k + 1,
          st.target_gradient,
          to_string(st.status),
          st.end.time,
          st.end.steps,
          st.end.loss,
          st.end.gradient_norm,
          st.refine_status);
    }
  }
  if (o.divergence) {
    const FlowDivergence& d = *o.divergence;
    fmt::print("divergence  {}: {}\n", d.diverging ? "yes" : "no", d.reason);
    if (d.diverging) {
      fmt::print(
          "growth      ‖θ‖ ~ t^{:.3f}, d‖θ‖/d ln t = {:.4g}{}; L -> about {:.8g} (estimate)\n",
          d.growth_exponent,
          d.growth_per_log_time,
          d.logarithmic ? " (logarithmic: saturation, or separable data)" : "",
          d.loss_limit_estimate);
      for (const GrowingUnit& u : d.units) {
        fmt::print(
            "unit        layer {}, unit {}: incoming weights grow {:.4g} -> {:.4g}{}\n",
            u.layer,
            u.unit,
            u.norm_before,
            u.norm_after,
            u.saturated >= 0
                ? fmt::format(", the unit is saturated on {} of {} samples", u.saturated, u.samples)
                : std::string());
      }
      fmt::print("ray         {}\n", d.ray_method);
    }
  }
  if (o.distance) {
    fmt::print("moved       max-norm {:.4e} from the start, loss change {:.6e}\n",
               *o.distance,
               *o.loss_change);
  }
  fmt::print("verdict     {}\n", o.verdict);
  if (o.point && !opt.out.empty()) fmt::print("wrote       {}\n", opt.out);
  if (!o.point && o.stopped && !opt.out.empty()) {
    fmt::print("wrote       {}: where the flow ended, NOT a critical point (no certificate)\n",
               opt.out);
  }
  fmt::print("seconds     {:.3f}\n", o.seconds);
}

int run(CertifyOptions& opt) {
  if (!opt.newton_arithmetic.empty()) {
    opt.request.refine.arithmetic = parse_arithmetic(opt.newton_arithmetic);
  }
  opt.request.classify.arithmetic = parse_arithmetic(opt.classify_arithmetic);
  api::checked_arithmetic(opt.request.refine);
  if (!opt.quiet) {
    opt.request.flow.progress = [](const FlowSample& s) {
      std::fprintf(stderr,
                   "flow  %8.1f s  t = %-11.4g L = %-20.14g ‖∇L‖ = %-10.3e ‖θ‖ = %.4g\n",
                   s.seconds,
                   s.time,
                   s.loss,
                   s.gradient_norm,
                   s.theta_norm);
    };
  }
  const Problem p = read_problem_file(opt.file);
  opt.request.certificate = !opt.certificate.empty();
  const api::CertifyOutcome o = api::certify(p, opt.request, opt.file);
  if (opt.request.certificate && o.certificate) write_certificate(*o.certificate, opt.certificate);
  if (!opt.out.empty()) {
    if (o.point) {
      write_problem_file(*o.point, opt.out);
    } else if (o.stopped) {
      write_problem_file(*o.stopped, opt.out);
    }
  }
  std::optional<api::FigureFiles> figure;
  if (!opt.plot.empty()) figure = api::plot_certify(o, p, opt.plot);
  if (opt.json) {
    nlohmann::json j = api::to_json(o);
    if (figure) j["figure"] = {{"files", figure->files}, {"drawn", figure->drawn}};
    if (o.certificate) j["certificate"] = opt.certificate;
    if (opt.request.certificate && !o.certificate) j["certificate_note"] = o.certificate_note;
    if ((o.point || o.stopped) && !opt.out.empty()) {
      j["out"] = opt.out;
      j["out_is_critical_point"] = o.point.has_value();
    }
    fmt::print("{}\n", j.dump(2));
  } else {
    print_text(o, p, opt);
    if (figure) print_figure(*figure);
    if (o.certificate) fmt::print("certificate {}\n", opt.certificate);
  }
  if (opt.request.certificate && !o.certificate) {
    fmt::print(stderr, "locus: --certificate: no certificate: {}\n", o.certificate_note);
    return 2;
  }
  return o.critical_point_proved ? 0 : 1;
}

}  // namespace

Run add_certify(CLI::App& app) {
  auto opt = std::make_shared<CertifyOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a starting point")
      ->required();
  app.add_option("-o,--out", opt->out, "write the refined problem (with its certificate) here");
  app.add_option("--target-gradient",
                 opt->request.flow.target_gradient,
                 "hand the flow over to Newton when ‖∇L‖ <= this (then 100 times smaller for "
                 "each further leg)")
      ->capture_default_str();
  app.add_option("--max-time", opt->request.flow.max_time, "flow-time budget (all legs)")
      ->capture_default_str();
  app.add_option("--max-steps", opt->request.flow.max_steps, "CVODE step budget (all legs)")
      ->capture_default_str();
  app.add_option("--max-seconds",
                 opt->request.flow.max_seconds,
                 "wall-clock budget of the flow legs and the refine attempts between them")
      ->capture_default_str();
  app.add_option("-d,--digits", opt->request.refine.digits, "Newton: stop when ‖∇L‖ <= 10^-digits")
      ->capture_default_str();
  app.add_option("-a,--arithmetic",
                 opt->newton_arithmetic,
                 "Newton's arithmetic (default: the smallest mpfr:BITS for the digits)");
  app.add_option("--classify-arithmetic",
                 opt->classify_arithmetic,
                 "the arithmetic that classifies the refined point")
      ->capture_default_str();
  app.add_option("--plot",
                 opt->plot,
                 "draw L and ‖∇L‖ along the flow and the spectrum with the certified zero "
                 "cluster: PREFIX.svg, PREFIX.png (gnuplot), PREFIX-*.dat, PREFIX.gp");
  app.add_flag("--json", opt->json, "JSON report");
  app.add_flag("-q,--quiet", opt->quiet, "no progress lines on stderr");
  app.add_option("--certificate",
                 opt->certificate,
                 "also write a locus-certificate/1 of the classification at the refined point to "
                 "this file (check it with locus-verify, docs/certificates.md)");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
