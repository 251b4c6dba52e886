// `locus spectrum FILE [--arithmetic A] [--matrix hessian|gauss-newton|residual-hessian]`:
// eigenvalues and inertia of the Hessian (or G, or H) at the file's point, certified where the
// arithmetic allows (docs/interfaces.md; methods exact-ldlt, ball-cluster, float-gap).
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/api/figures.hpp"
#include "locus/api/jobs.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/lanczos.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::cli {

namespace {

// The command's options: the report's (SpectrumRequest) plus the file and the output form.
struct SpectrumOptions : api::SpectrumRequest {
  std::string file;
  std::string arithmetic_name = "double";
  std::string matrix_name = "hessian";
  std::string plot;  ///< figure prefix (PREFIX.svg, PREFIX.png, data and script)
  bool json = false;
  std::string null_vectors_file;
  std::string certificate_file;
  double memory_budget_mb = 0;  ///< > 0: SpectrumRequest::memory_budget in MB
  std::string solver = "spectra";
};

int run_lanczos(const SpectrumOptions& opt, const Problem& p) {
  const nlohmann::json j = api::lanczos_report(p, opt);
  if (opt.json) {
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  const auto str = [](const nlohmann::json& v) { return v.get<std::string>(); };
  fmt::print("network     {}\n", p.network.describe());
  const auto& solver = j["solver"];
  if (solver["name"] == "restarted" || solver["name"] == "krylov-schur") {
    fmt::print(
        "matrix      hessian (P = {}), matrix-free {} in double, seed {}\n",
        j["P"].get<long>(),
        solver["name"] == "restarted" ? "restarted Lanczos (Spectra)" : "Krylov-Schur (SLEPc)",
        j["seed"].get<std::uint64_t>());
    fmt::print(
        "solver      tolerance {} (relative residual), subspace {}, {} products, {} restarts, "
        "{}\n",
        str(solver["tolerance"]),
        solver["subspace"].get<int>(),
        solver["products"].get<long>(),
        solver["restarts"].get<long>(),
        solver["converged"].get<bool>() ? "converged" : "NOT converged");
  } else {
    fmt::print("matrix      hessian (P = {}), matrix-free Lanczos in double, {} steps, seed {}\n",
               j["P"].get<long>(),
               j["steps"].get<int>(),
               j["seed"].get<std::uint64_t>());
  }
  if (j["ranks"].get<int>() > 1) {
    fmt::print("ranks       {} (MPI; {} samples on rank 0, {} bytes sent by it in {:.3f} s)\n",
               j["ranks"].get<int>(),
               j["samples_per_rank"].get<long>(),
               j["communication"]["bytes_sent_by_rank_0"].get<std::size_t>(),
               j["communication"]["seconds_in_sums"].get<double>());
  }
  fmt::print(
      "method      lanczos: numerical; each Ritz value is within its residual of an eigenvalue\n");
  fmt::print("largest     (Ritz value, residual)\n");
  for (std::size_t i = 0; i < j["largest"].size(); ++i)
    fmt::print("            {:>24}  {}\n", str(j["largest"][i]), str(j["largest_residuals"][i]));
  fmt::print("smallest    (Ritz value, residual)\n");
  for (std::size_t i = 0; i < j["smallest"].size(); ++i)
    fmt::print("            {:>24}  {}\n", str(j["smallest"][i]), str(j["smallest_residuals"][i]));
  if (j.contains("density")) {
    const auto& d = j["density"];
    fmt::print(
        "density     {} probes x {} steps (seed {}): {} nodes; use --json for nodes and weights\n",
        d["probes"].get<int>(),
        d["steps"].get<int>(),
        d["seed"].get<std::uint64_t>(),
        d["nodes"].size());
  }
  fmt::print("seconds     {}\n", str(j["seconds"]));
  return 0;
}

int run(SpectrumOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  // Names are parsed here, once; bad options are reported before the file is read.
  opt.arithmetic = parse_arithmetic(opt.arithmetic_name);
  opt.matrix = api::parse_hessian_part(opt.matrix_name);
  api::validate(opt);
  const Problem p = read_problem_file(opt.file);
  api::require_point(p, opt.file, "`locus spectrum` needs the parameter vector θ");
  if (!opt.null_vectors_file.empty()) {
    opt.null_vectors = api::read_null_vectors_file(
        opt.null_vectors_file, static_cast<Eigen::Index>(p.network.num_parameters()));
    api::validate(opt);
  }
  if (opt.lanczos > 0) return run_lanczos(opt, p);
  opt.certificate = !opt.certificate_file.empty();
  const api::SpectrumResult r = api::analyse_spectrum(p, opt);
  if (opt.certificate) {
    if (!r.certificate) throw InvalidArgument("--certificate: " + r.certificate_note);
    write_certificate(*r.certificate, opt.certificate_file);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::optional<api::FigureFiles> figure;
  if (!opt.plot.empty()) {
    figure = api::plot_spectrum(
        r,
        fmt::format("{} spectrum of {} ({})", api::to_string(opt.matrix), opt.file, r.arithmetic),
        opt.plot);
  }
  if (opt.json) {
    nlohmann::json j = api::to_json(r, opt, p, seconds);
    if (figure) j["figure"] = {{"files", figure->files}, {"drawn", figure->drawn}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (figure) print_figure(*figure);
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("matrix      {} (P = {}), arithmetic {}\n",
             api::to_string(opt.matrix),
             p.network.num_parameters(),
             r.arithmetic);
  fmt::print("method      {}: {}\n",
             to_string(r.method),
             r.certified ? "certified by " + r.proved_by
                         : (r.verdict == "numerical" ? "numerical evidence only, not a proof"
                                                     : "undecided"));
  const std::string zero = r.zero_known ? fmt::format("{}", r.inertia.zero) : "?";
  if (r.method == SpectrumMethod::BallCluster && !r.zero_known) {
    fmt::print(
        "outside     (n+, n-) = ({}, {}) outside the cluster; the cluster is not proved to "
        "be zeros (n0 <= {})\n",
        r.inertia.positive,
        r.inertia.negative,
        r.cluster_size >= 0 ? fmt::format("{}", r.cluster_size) : "?");
  } else {
    fmt::print(
        "inertia     (n+, n-, n0) = ({}, {}, {})\n", r.inertia.positive, r.inertia.negative, zero);
  }
  if (r.method == SpectrumMethod::BallCluster && r.cluster_size == 0) {
    fmt::print("cluster     empty: every eigenvalue is certified nonzero, |λ| >= {}\n", r.delta);
  } else if (r.method == SpectrumMethod::BallCluster) {
    fmt::print("cluster     {} eigenvalue(s) with |λ| <= {}; every other |λ| >= {} (gap {})\n",
               r.inertia.zero,
               r.epsilon,
               r.delta,
               r.gap);
  }
  if (r.method == SpectrumMethod::BallCluster) {
    std::string tried;
    for (long b : r.tried_bits) tried += fmt::format("{}{}", tried.empty() ? "" : ", ", b);
    fmt::print(
        "precision   {} bits (tried {}), near-zero block refined: {}\n", r.bits, tried, r.refined);
  } else if (r.method == SpectrumMethod::FloatGap) {
    fmt::print("tolerance   {} (R7: 10·P·u·‖M‖_F), gap ratio {}, numerical nullity {}\n",
               r.tolerance,
               r.gap,
               r.numerical_nullity >= 0 ? fmt::format("{}", r.numerical_nullity) : "none (no gap)");
  }
  if (!r.reason.empty()) fmt::print("reason      {}\n", r.reason);
  const std::size_t n = r.eigenvalues.size();
  if (!r.eigenvalue_note.empty()) fmt::print("note        {}\n", r.eigenvalue_note);
  fmt::print(
      "eigenvalues ({}, ascending{})\n", n, n > 40 ? "; the 20 smallest and 20 largest" : "");
  for (std::size_t i = 0; i < n; ++i) {
    if (n > 40 && i == 20) {
      fmt::print("            ...\n");
      i = n - 20;
    }
    fmt::print("            {}\n", r.eigenvalues[i]);
  }
  fmt::print("seconds     {:.3f}\n", seconds);
  return 0;
}

}  // namespace

Run add_spectrum(CLI::App& app) {
  auto opt = std::make_shared<SpectrumOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a point")->required();
  app.add_option(
         "-a,--arithmetic", opt->arithmetic_name, "arithmetic: " + accepted_arithmetic_forms())
      ->capture_default_str();
  app.add_option("-m,--matrix", opt->matrix_name, "hessian, gauss-newton or residual-hessian")
      ->capture_default_str();
  app.add_option("--max-bits",
                 opt->max_bits,
                 "precision cap for ball escalation (doubling from the arithmetic's bits)")
      ->capture_default_str();
  app.add_flag("--kernel", opt->kernel, "rational: also print an exact basis of the null space");
  app.add_option("--null-vectors",
                 opt->null_vectors_file,
                 "rational: exact null vectors known in advance (JSON columns, or the output of "
                 "--kernel --json), checked exactly and used to prove the rank")
      ->check(CLI::ExistingFile);
  app.add_option("--certificate",
                 opt->certificate_file,
                 "also write a locus-certificate/1 of the inertia to this file (rational; check "
                 "it with locus-verify, docs/certificates.md)");
  app.add_flag("--ldlt",
               opt->ldlt,
               "rational: always run the exact LDLT, even when balls already prove nonsingularity");
  app.add_option("--lanczos",
                 opt->lanczos,
                 "matrix-free (double): the K largest and K smallest Ritz values from HVPs")
      ->check(CLI::Range(1, 100000));
  app.add_option("--steps",
                 opt->steps,
                 "fixed-step Lanczos with this many steps (default: restarted Lanczos to "
                 "--tolerance)")
      ->check(CLI::Range(1, 100000));
  app.add_option(
         "--tolerance", opt->tolerance, "restarted Lanczos: relative residual of every Ritz value")
      ->check(CLI::Range(1e-15, 1e-1))
      ->capture_default_str();
  app.add_option("--subspace",
                 opt->subspace,
                 "restarted Lanczos: Krylov subspace dimension (default max(2K + 1, 20))")
      ->check(CLI::Range(2, 100000));
  app.add_option(
         "--max-restarts", opt->max_restarts, "restarted Lanczos: at most this many restarts")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  app.add_option("--probes", opt->probes, "also a spectral density by SLQ with this many probes")
      ->check(CLI::Range(1, 100000));
  app.add_option("--seed", opt->seed, "seed of the Lanczos start and probe vectors")
      ->capture_default_str();
  app.add_flag("--vectors",
               opt->vectors,
               "floating and MPFR arithmetics: also the eigenvectors (columns, in --json output)");
  app.add_option("--mpfr-direct-limit",
                 opt->mpfr_direct_limit,
                 "mpfr:BITS: largest P for Eigen's solver in MPFR (above: certificate enclosures)")
      ->capture_default_str();
  app.add_option("--plot",
                 opt->plot,
                 "draw the spectrum with the certified zero cluster: PREFIX.svg, PREFIX.png "
                 "(gnuplot), PREFIX-spectrum.dat, PREFIX.gp");
  app.add_flag("--json", opt->json, "JSON output (numbers as strings)");
  app.add_option("--memory-budget",
                 opt->memory_budget_mb,
                 "--lanczos: refuse when one rank's share of the samples needs more than this many "
                 "MB for its derivatives (run more ranks under mpirun, docs/scaling.md)")
      ->check(CLI::PositiveNumber);
  app.add_option("--solver",
                 opt->solver,
                 "--lanczos: spectra (restarted Lanczos, default) or slepc (Krylov-Schur on a "
                 "PETSc shell matrix; builds with SLEPc)")
      ->check(CLI::IsMember({"spectra", "slepc"}))
      ->capture_default_str();
  return [opt] {
    opt->slepc = opt->solver == "slepc";
    if (opt->memory_budget_mb > 0) {
      opt->memory_budget = static_cast<std::size_t>(opt->memory_budget_mb * 1e6);
    }
    return run(*opt);
  };
}

}  // namespace locus::cli
