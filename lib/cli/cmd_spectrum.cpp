// `locus spectrum FILE [--arithmetic A] [--matrix hessian|gauss-newton|residual-hessian]`:
// eigenvalues and inertia of the Hessian (or G, or H) at the file's point, certified where the
// arithmetic allows (interfaces.md; methods exact-ldlt, ball-cluster, float-gap).
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"

#include "locus/cli/reports.hpp"
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
struct SpectrumOptions : SpectrumRequest {
  std::string file;
  bool json = false;
};

HessianPart parse_part(const std::string& m) {
  if (m == "hessian") return HessianPart::Full;
  if (m == "gauss-newton") return HessianPart::GaussNewton;
  if (m == "residual-hessian") return HessianPart::Residual;
  throw InvalidArgument(
      fmt::format("--matrix '{}': expected hessian, gauss-newton or residual-hessian", m));
}

struct Report {
  std::string arithmetic;
  std::string method;
  bool certified = false;
  std::string verdict;  // certified | numerical | undecided
  Inertia inertia;
  bool zero_known = false;
  long cluster_size = -1;  ///< ball certificates: eigenvalues in [−ε, ε] (not proved zeros)
  std::vector<std::string> eigenvalues;
  std::string gap = "";  // ratio of the smallest |λ| outside the cluster to the largest inside
  std::string epsilon, delta, tolerance;
  long bits = 0;
  std::vector<long> tried_bits;
  long refined = -1;
  long numerical_nullity = -2;  // -2: not a float method; -1: R7 found no gap
  std::string reason;
  std::string proved_by;
  std::vector<std::vector<std::string>> kernel;
  std::vector<std::vector<std::string>> vectors;
  std::string eigenvalue_note;
};

template <class S>
void check_finite(const Mat<S>& m, const std::string& what) {
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      if (!ScalarTraits<S>::is_finite(m(i, j))) {
        throw InvalidArgument(fmt::format("{} entry ({}, {}) is {}, expected a finite number",
                                          what,
                                          i,
                                          j,
                                          ScalarTraits<S>::to_string(m(i, j))));
      }
    }
  }
}

void fill_from_certificate(Report& r, const ClusterCertificate& c) {
  r.method = to_string(SpectrumMethod::BallCluster);
  r.certified = c.decided;
  r.verdict = c.decided ? "certified" : "undecided";
  r.inertia = c.inertia;
  // n₀ of a ball certificate counts the eigenvalues in [−ε, ε]: it is the number of zeros only
  // when it is 0 (every eigenvalue certified nonzero). Otherwise it is reported as a cluster.
  r.zero_known = c.decided && c.inertia.zero == 0;
  r.cluster_size = c.decided ? static_cast<long>(c.inertia.zero) : -1;
  r.bits = c.bits;
  r.tried_bits = c.tried_bits;
  r.refined = static_cast<long>(c.refined);
  r.reason = c.reason;
  r.epsilon = format_bound(c.epsilon, true);
  r.delta = c.has_rest ? format_bound(c.delta, false) : "none";
  if (!c.has_rest || c.inertia.zero == 0 || c.epsilon == 0) {
    r.gap = "inf";
  } else {
    r.gap = format_bound(c.delta / c.epsilon, false, 4);
  }
  r.proved_by = fmt::format("Arb ball arithmetic at {} bits", c.bits);
  for (const Ball& e : c.eigenvalues) r.eigenvalues.push_back(e.to_string(10));
}

ClusterCertificate certify_problem(const Problem& p,
                                   HessianPart part,
                                   long start_bits,
                                   long max_bits) {
  const BallMatrixAt at = [&](long bits) {
    const ScopedBallPrecision precision(static_cast<int>(bits));
    const LossFunction<Ball> fn(p.network, p.data);
    return fn.hessian(p.point_as<Ball>(), part);
  };
  return certify_cluster(at, start_bits, max_bits);
}

template <class S>
Report analyse(const Problem& p, HessianPart part, const SpectrumRequest& opt, int ball_bits) {
  Report r;
  r.arithmetic = ScalarTraits<S>::name();
  if constexpr (ScalarTraits<S>::is_interval) {
    fill_from_certificate(r, certify_problem(p, part, ball_bits, opt.max_bits));
    if (r.bits != ball_bits) r.arithmetic = fmt::format("ball:{}", r.bits);
  } else if constexpr (ScalarTraits<S>::is_exact) {
    const LossFunction<Rational> fn(p.network, p.data);
    const Mat<Rational> m = fn.hessian(p.point_as<Rational>(), part);
    // First a ball certificate of the exact matrix (cheap): when it proves every eigenvalue
    // nonzero, the inertia is exact and the fraction-free LDLᵀ (whose entries grow to P times the
    // entry size) is not needed. Otherwise exact LDLᵀ decides n₀.
    ClusterCertificate c;
    {
      const ScopedBallPrecision precision(128);
      c = certify_cluster(convert_matrix<Ball>(m));
      for (const Ball& e : c.eigenvalues) r.eigenvalues.push_back(e.to_string(10));
    }
    r.certified = true;
    r.verdict = "certified";
    r.zero_known = true;
    r.gap = "inf";  // exact zeros
    if (c.decided && c.inertia.zero == 0 && !opt.kernel && !opt.ldlt) {
      r.method = to_string(SpectrumMethod::BallCluster);
      r.inertia = c.inertia;
      r.bits = c.bits;
      r.proved_by =
          "Arb balls (128 bits) enclosing the exact rational matrix: every eigenvalue is certified "
          "nonzero, so the inertia is exact";
      r.delta = c.has_rest ? format_bound(c.delta, false) : "none";
      r.epsilon = format_bound(c.epsilon, true);
    } else {
      const ExactInertia ex = exact_inertia(m, opt.kernel);
      r.method = to_string(SpectrumMethod::ExactLdlt);
      r.inertia = ex.inertia;
      r.proved_by = "exact rational LDLT (Sylvester's law of inertia)";
      if (opt.kernel) {
        for (Eigen::Index j = 0; j < ex.null_basis.cols(); ++j) {
          std::vector<std::string> col;
          for (Eigen::Index i = 0; i < ex.null_basis.rows(); ++i)
            col.push_back(to_string(ex.null_basis(i, j)));
          r.kernel.push_back(std::move(col));
        }
      }
      if (c.proved && c.inertia.zero == ex.inertia.zero) {
        r.epsilon = format_bound(c.epsilon, true);
        r.delta = c.has_rest ? format_bound(c.delta, false) : "none";
      }
    }
  } else {
    constexpr bool is_mpfr = ScalarTraits<S>::kind == ScalarKind::Mpfr;
    const auto P = static_cast<Eigen::Index>(p.network.num_parameters());
    // MPFR eigenvalues by Eigen's solver in MPFR up to --mpfr-direct-limit; above it the
    // eigenvalues come from the certificate (near-zero block at full precision, the rest at
    // double accuracy with their enclosure radii), so large problems take minutes, not hours.
    const bool direct = !is_mpfr || P <= opt.mpfr_direct_limit;
    if (direct) {
      const LossFunction<S> fn(p.network, p.data);
      const Mat<S> m = fn.hessian(p.point_as<S>(), part);
      check_finite(m, "matrix");
      const SymmetricEigen<S> es = symmetric_eigen<S>(m, opt.vectors);
      if (!es.converged) throw Error("the symmetric eigensolver did not converge");
      const NumericalNullity nn = float_gap<S>(es.values, m.norm());
      r.method = to_string(SpectrumMethod::FloatGap);
      r.certified = false;
      r.inertia = nn.inertia;
      r.tolerance = nn.tolerance;
      r.gap = nn.gap_ratio;
      r.reason = nn.reason;
      // A float cluster below τ cannot be told from eigenvalues of size 1e-30: n₀ is never
      // decided in floating point unless the cluster is empty; R7's count is numerical_nullity.
      r.numerical_nullity = nn.decided ? static_cast<long>(nn.inertia.zero) : -1;
      if (nn.decided && nn.inertia.zero == 0) {
        r.verdict = "numerical";
        r.zero_known = true;
      } else {
        r.verdict = "undecided";
        r.zero_known = false;
        if (nn.decided) {
          r.reason = fmt::format(
              "{} eigenvalue(s) lie below the {} resolution τ = {}: floating point cannot tell "
              "them from 0 (R7 numerical nullity {}, gap ratio {}); certify with ball:BITS, "
              "mpfr:BITS or rational",
              nn.inertia.zero,
              ScalarTraits<S>::name(),
              nn.tolerance,
              nn.inertia.zero,
              nn.gap_ratio);
        }
      }
      for (Eigen::Index i = 0; i < es.values.size(); ++i)
        r.eigenvalues.push_back(ScalarTraits<S>::to_string(es.values(i)));
      if (opt.vectors) {
        for (Eigen::Index j = 0; j < es.vectors.cols(); ++j) {
          std::vector<std::string> col;
          for (Eigen::Index i = 0; i < es.vectors.rows(); ++i)
            col.push_back(ScalarTraits<S>::to_string(es.vectors(i, j)));
          r.vectors.push_back(std::move(col));
        }
      }
    } else if (opt.vectors) {
      throw InvalidArgument(
          fmt::format("--vectors in {} is available up to P = {} (--mpfr-direct-limit); P = {}",
                      ScalarTraits<S>::name(),
                      opt.mpfr_direct_limit,
                      P));
    }
    if constexpr (is_mpfr) {
      // The certificate comes from balls at the same precision (the MPFR Hessian's own rounding
      // errors are not bounded, the ball Hessian's are).
      // The report is the certificate's; the MPFR eigenvalues (and vectors) stay when computed.
      Report c;
      fill_from_certificate(c, certify_problem(p, part, ScalarTraits<S>::digits(), opt.max_bits));
      c.arithmetic = r.arithmetic;
      if (direct) {
        c.eigenvalues = std::move(r.eigenvalues);
        c.vectors = std::move(r.vectors);
      } else {
        c.eigenvalue_note = fmt::format(
            "P = {} > {} (--mpfr-direct-limit): eigenvalues are the certificate's enclosures",
            P,
            opt.mpfr_direct_limit);
      }
      r = std::move(c);
    }
  }
  return r;
}

// Matrix-free: the k largest and smallest Ritz values, and an SLQ density, from HVPs in double.
nlohmann::json lanczos_json(const SpectrumRequest& opt, const Problem& p, HessianPart part) {
  if (opt.arithmetic != "double") {
    throw InvalidArgument(
        fmt::format("--lanczos runs in double only (matrix-free, numerical); got --arithmetic {}",
                    opt.arithmetic));
  }
  if (part != HessianPart::Full) {
    throw InvalidArgument("--lanczos supports --matrix hessian only");
  }
  const auto t0 = std::chrono::steady_clock::now();
  const LossFunction<double> fn(p.network, p.data);
  const Vec<double> theta = p.point_as<double>();
  const auto n = static_cast<Eigen::Index>(p.network.num_parameters());
  const SymmetricOperator op = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
    y = fn.hessian_vector_product(theta, x);
  };
  const int steps = opt.steps > 0 ? opt.steps : std::max(3 * opt.lanczos, 40);
  const RitzValues rv = lanczos(op, n, steps, opt.seed);
  SpectralDensity density;
  if (opt.probes > 0)
    density = spectral_density(op, n, std::min(steps, 80), opt.probes, opt.seed + 1);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto k =
      static_cast<std::size_t>(std::min<long>(opt.lanczos, static_cast<long>(rv.values.size())));
  std::vector<std::string> top, bottom, top_res, bottom_res;
  for (std::size_t i = 0; i < k; ++i) {
    const std::size_t hi = rv.values.size() - 1 - i;
    top.push_back(fmt::format("{:.17g}", rv.values[hi]));
    top_res.push_back(fmt::format("{:.3g}", rv.residuals[hi]));
    bottom.push_back(fmt::format("{:.17g}", rv.values[i]));
    bottom_res.push_back(fmt::format("{:.3g}", rv.residuals[i]));
  }
  nlohmann::json j;
  j["arithmetic"] = "double";
  j["matrix"] = opt.matrix;
  j["P"] = n;
  j["method"] = "lanczos";
  j["certified"] = false;
  j["steps"] = rv.steps;
  j["seed"] = rv.seed;
  j["largest"] = top;
  j["largest_residuals"] = top_res;
  j["smallest"] = bottom;
  j["smallest_residuals"] = bottom_res;
  if (opt.probes > 0) {
    std::vector<std::string> nodes, weights;
    for (double x : density.nodes) nodes.push_back(fmt::format("{:.10g}", x));
    for (double x : density.weights) weights.push_back(fmt::format("{:.6g}", x));
    j["density"] = {{"nodes", nodes},
                    {"weights", weights},
                    {"probes", density.probes},
                    {"steps", density.steps},
                    {"seed", density.seed}};
  }
  j["seconds"] = fmt::format("{:.3f}", seconds);
  return j;
}

int run_lanczos(const SpectrumOptions& opt, const Problem& p, HessianPart part) {
  const nlohmann::json j = lanczos_json(opt, p, part);
  if (opt.json) {
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  const auto str = [](const nlohmann::json& v) { return v.get<std::string>(); };
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("matrix      hessian (P = {}), matrix-free Lanczos in double, {} steps, seed {}\n",
             j["P"].get<long>(),
             j["steps"].get<int>(),
             j["seed"].get<std::uint64_t>());
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

void require_point(const Problem& p, const std::string& where) {
  if (!p.point) {
    throw ParseError(
        fmt::format("{}: point: missing; `locus spectrum` needs the parameter vector θ "
                    "(P = {} numbers)",
                    where,
                    p.network.num_parameters()));
  }
}

nlohmann::json report_json(const Report& r,
                           const SpectrumRequest& opt,
                           const Problem& p,
                           double seconds) {
  nlohmann::json j;
  j["arithmetic"] = r.arithmetic;
  j["matrix"] = opt.matrix;
  j["P"] = p.network.num_parameters();
  j["eigenvalues"] = r.eigenvalues;
  j["inertia"] = {{"positive", r.inertia.positive},
                  {"negative", r.inertia.negative},
                  {"zero", r.zero_known ? nlohmann::json(r.inertia.zero) : nlohmann::json()}};
  if (r.cluster_size >= 0) {
    j["cluster"] = {{"size", r.cluster_size}, {"epsilon", r.epsilon}, {"delta", r.delta}};
  }
  j["certified"] = r.certified;
  j["method"] = r.method;
  j["verdict"] = r.verdict;
  j["gap"] = r.gap;
  if (!r.epsilon.empty()) j["epsilon"] = r.epsilon;
  if (!r.delta.empty()) j["delta"] = r.delta;
  if (!r.tolerance.empty()) j["tolerance"] = r.tolerance;
  if (r.bits > 0) j["bits"] = r.bits;
  if (!r.tried_bits.empty()) j["tried_bits"] = r.tried_bits;
  if (r.refined >= 0) j["refined"] = r.refined;
  if (r.numerical_nullity >= -1) {
    j["numerical_nullity"] =
        r.numerical_nullity >= 0 ? nlohmann::json(r.numerical_nullity) : nlohmann::json();
  }
  if (!r.proved_by.empty()) j["proved_by"] = r.proved_by;
  if (!r.reason.empty()) j["reason"] = r.reason;
  if (opt.kernel) j["kernel"] = r.kernel;
  if (opt.vectors) j["eigenvectors"] = r.vectors;
  if (!r.eigenvalue_note.empty()) j["eigenvalue_note"] = r.eigenvalue_note;
  j["seconds"] = fmt::format("{:.3f}", seconds);
  return j;
}

void validate(const SpectrumRequest& opt) {
  parse_arithmetic(opt.arithmetic);
  parse_part(opt.matrix);
  if (opt.max_bits < 2) {
    throw InvalidArgument(fmt::format("--max-bits {}: expected at least 2", opt.max_bits));
  }
}

Report analyse_checked(const Problem& p, const SpectrumRequest& opt) {
  validate(opt);
  const Arithmetic a = parse_arithmetic(opt.arithmetic);
  const HessianPart part = parse_part(opt.matrix);
  return dispatch(a,
                  [&]<class S>(std::type_identity<S>) { return analyse<S>(p, part, opt, a.bits); });
}

int run(const SpectrumOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  validate(opt);  // bad options before reading the file
  const HessianPart part = parse_part(opt.matrix);
  const Problem p = read_problem_file(opt.file);
  require_point(p, opt.file);
  if (opt.lanczos > 0) return run_lanczos(opt, p, part);
  const Report r = analyse_checked(p, opt);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (opt.json) {
    fmt::print("{}\n", report_json(r, opt, p, seconds).dump(2));
    return 0;
  }
  fmt::print("network     {}\n", p.network.describe());
  fmt::print("matrix      {} (P = {}), arithmetic {}\n",
             opt.matrix,
             p.network.num_parameters(),
             r.arithmetic);
  fmt::print("method      {}: {}\n",
             r.method,
             r.certified ? "certified by " + r.proved_by
                         : (r.verdict == "numerical" ? "numerical evidence only, not a proof"
                                                     : "undecided"));
  const std::string zero = r.zero_known ? fmt::format("{}", r.inertia.zero) : "?";
  if (r.method == "ball-cluster" && !r.zero_known) {
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
  if (r.method == "ball-cluster" && r.cluster_size == 0) {
    fmt::print("cluster     empty: every eigenvalue is certified nonzero, |λ| >= {}\n", r.delta);
  } else if (r.method == "ball-cluster") {
    fmt::print("cluster     {} eigenvalue(s) with |λ| <= {}; every other |λ| >= {} (gap {})\n",
               r.inertia.zero,
               r.epsilon,
               r.delta,
               r.gap);
  }
  if (r.method == "ball-cluster") {
    std::string tried;
    for (long b : r.tried_bits) tried += fmt::format("{}{}", tried.empty() ? "" : ", ", b);
    fmt::print(
        "precision   {} bits (tried {}), near-zero block refined: {}\n", r.bits, tried, r.refined);
  } else if (r.method == "float-gap") {
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

nlohmann::json spectrum_report(const Problem& p, const SpectrumRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  validate(request);
  require_point(p, "problem");
  if (request.lanczos > 0) return lanczos_json(request, p, parse_part(request.matrix));
  const Report r = analyse_checked(p, request);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report_json(r, request, p, seconds);
}

Run add_spectrum(CLI::App& app) {
  auto opt = std::make_shared<SpectrumOptions>();
  app.add_option("FILE", opt->file, "problem file (locus-problem/1) with a point")->required();
  app.add_option("-a,--arithmetic", opt->arithmetic, "arithmetic: " + accepted_arithmetic_forms())
      ->capture_default_str();
  app.add_option("-m,--matrix", opt->matrix, "hessian, gauss-newton or residual-hessian")
      ->capture_default_str();
  app.add_option("--max-bits",
                 opt->max_bits,
                 "precision cap for ball escalation (doubling from the arithmetic's bits)")
      ->capture_default_str();
  app.add_flag("--kernel", opt->kernel, "rational: also print an exact basis of the null space");
  app.add_flag("--ldlt",
               opt->ldlt,
               "rational: always run the exact LDLT, even when balls already prove nonsingularity");
  app.add_option("--lanczos",
                 opt->lanczos,
                 "matrix-free (double): the K largest and K smallest Ritz values from HVPs")
      ->check(CLI::Range(1, 100000));
  app.add_option("--steps", opt->steps, "Lanczos steps (default max(3K, 40))")
      ->check(CLI::Range(1, 100000));
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
  app.add_flag("--json", opt->json, "JSON output (numbers as strings)");
  return [opt] { return run(*opt); };
}

}  // namespace locus::cli
