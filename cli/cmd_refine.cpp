// `locus refine FILE --out FILE2 [--digits D] [--arithmetic mpfr:BITS]`: Ceres in double, then
// minimum-norm Newton in MPFR, to a critical point near the file's point (docs/interfaces.md). The
// refined point is written back with `provenance` and `certificate`, the latter holding a rigorous
// bound of ‖∇L‖ from Arb balls at the refined point.
#include <chrono>
#include <cmath>
#include <memory>
#include <string>

#include "commands.hpp"

#include "locus/api/jobs.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/existence.hpp"
#include "locus/solve/refine.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

// The command's options: the report's (RefineRequest) plus the files and the output form.
struct RefineOptions : api::RefineRequest {
  std::string file;
  std::string out;
  std::string arithmetic_name;  ///< empty: the default for the digits
  bool json = false;
  std::string certificate_file;
};

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
    print_existence(report["existence"]);
    fmt::print("wrote       {}\n", opt.out);
  } else {
    fmt::print("wrote       {}: where Newton stopped, NOT a critical point (no certificate)\n",
               opt.out);
  }
  if (report.contains("certificate")) {
    fmt::print("certificate {}\n",
               report["certificate"].is_null() ? "none: " + str(report["certificate_note"])
                                               : str(report["certificate"]));
  }
  fmt::print("seconds     {}\n", str(report["seconds"]));
}

int run(RefineOptions& opt) {
  // Names parsed once, here; bad options are reported before the file is read.
  if (!opt.arithmetic_name.empty()) opt.arithmetic = parse_arithmetic(opt.arithmetic_name);
  api::checked_arithmetic(opt);
  const Problem p = read_problem_file(opt.file);
  api::RefineOutcome out = api::refine_checked(p, opt, opt.file);
  if (out.refined) {
    write_problem_file(*out.refined, opt.out);
    out.report["out"] = opt.out;
  } else if (out.stopped) {
    write_problem_file(*out.stopped, opt.out);
    out.report["out"] = opt.out;
    out.report["out_is_critical_point"] = false;
  }
  if (!opt.certificate_file.empty()) {
    if (out.certificate) {
      write_certificate(*out.certificate, opt.certificate_file);
      out.report["certificate"] = opt.certificate_file;
    } else {
      out.report["certificate"] = nullptr;
      out.report["certificate_note"] = out.certificate_note;
    }
  }
  if (opt.json) {
    fmt::print("{}\n", out.report.dump(2));
  } else {
    print_text(out.report, p, opt);
  }
  return out.refined ? 0 : 1;
}

}  // namespace

void print_figure(const api::FigureFiles& figure) {
  fmt::print("figure      {}\n", fmt::join(figure.files, ", "));
  if (!figure.note.empty()) fmt::print("            {}\n", figure.note);
}

void print_existence(const nlohmann::json& e) {
  const auto str = [&e](const char* key) { return e.value(key, std::string()); };
  if (e.value("proved", false)) {
    fmt::print("existence   proved: a unique critical point lies within max-norm {} ({})\n",
               str("radius"),
               str("method"));
  } else {
    fmt::print("existence   not proved: {}\n", str("reason"));
  }
}

Run add_refine(CLI::App& app) {
  auto opt = std::make_shared<RefineOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a starting point")
      ->required();
  app.add_option("-o,--out", opt->out, "refined problem file to write")->required();
  app.add_option("--certificate",
                 opt->certificate_file,
                 "also write a locus-certificate/1 of the existence proof (Krawczyk box) to this "
                 "file, when it succeeds (check it with locus-verify, docs/certificates.md)");
  app.add_option("-d,--digits", opt->digits, "stop when ‖∇L‖ <= 10^-digits")->capture_default_str();
  app.add_option("-a,--arithmetic",
                 opt->arithmetic_name,
                 "Newton's arithmetic (default: the smallest mpfr:BITS with 1.5·digits·log2(10) "
                 "bits)");
  app.add_flag("!--no-ceres", opt->ceres, "skip the Ceres polish in double");
  app.add_flag("--least-squares",
               opt->least_squares,
               "Ceres on the residuals f(x_i) - y_i (squared loss, minima only)");
  app.add_option("--max-iterations", opt->max_iterations, "Newton iterations")
      ->capture_default_str();
  app.add_option("--ceres-iterations", opt->ceres_max_iterations, "Ceres iterations")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--json", opt->json, "JSON report");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
