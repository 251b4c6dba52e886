// The spectrum job (locus/api/jobs.hpp): eigenvalues and inertia of ∇²L, G or H at a point,
// certified where the arithmetic allows (exact LDLᵀ over Q, the ball-cluster certificate in Arb
// balls, R7's gap test in floating point; docs/spectra.md), and matrix-free Lanczos in double.
#include "locus/linalg/spectrum.hpp"

#include <chrono>
#include <cmath>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "locus/api/jobs.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/decide.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/lanczos.hpp"
#include "locus/parallel/distributed.hpp"
#include "locus/parallel/slepc.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/version.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace locus::api {

namespace {

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

// One certified eigenvalue: its text, and as numbers the midpoint rounded to double and a radius
// (rounded up) that covers the ball and the midpoint's rounding, so [value − radius, value +
// radius] in doubles contains the eigenvalue.
void add_ball_eigenvalue(SpectrumResult& r, const Ball& e) {
  r.eigenvalues.push_back(e.to_string(10));
  const double mid = e.mid_double();
  const Rational err = abs(e.mid() - Rational(mid)) + e.rad();
  double rad = to_double_nearest(err);
  if (Rational(rad) < err) rad = std::nextafter(rad, std::numeric_limits<double>::infinity());
  r.eigenvalues_double.push_back(mid);
  r.eigenvalue_radii.push_back(rad);
}

void fill_from_certificate(SpectrumResult& r, const ClusterCertificate& c) {
  const DecidedInertia d = decide_inertia(c);
  r.method = d.algorithm;
  r.certified = d.decided;
  r.verdict = d.decided ? "certified" : "undecided";
  r.inertia = d.inertia;
  // n₀ of a ball certificate counts the eigenvalues in [−ε, ε]: it is the number of zeros only
  // when it is 0 (every eigenvalue certified nonzero). Otherwise it is reported as a cluster.
  r.zero_known = d.zero_exact;
  r.cluster_size = d.decided ? static_cast<long>(d.inertia.zero) : -1;
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
  for (const Ball& e : c.eigenvalues) add_ball_eigenvalue(r, e);
}

ClusterCertificate certify_problem(
    const Problem& p, HessianPart part, long start_bits, long max_bits, bool with_basis = false) {
  const BallMatrixAt at = [&](long bits) {
    const ScopedBallPrecision precision(static_cast<int>(bits));
    const LossFunction<Ball> fn(p.network, p.data);
    return fn.hessian(p.point_as<Ball>(), part);
  };
  // A first pass in 53-bit balls, whose sums over the samples run on double GEMMs with rigorous
  // bounds (docs/math/crt-products.md): when it proves the sign of every eigenvalue (an empty
  // cluster), the requested precision cannot say more about the inertia. A cluster at 53 bits
  // may be resolved at the requested precision (P = 5514 of docs/benchmarks.md: one eigenvalue
  // of 1e-9·‖H‖), so the requested precision follows then. Only for requests of at most 64 bits
  // (more bits ask for tighter eigenvalue enclosures, not only the inertia) and for P ≤ 3000:
  // there the ball Hessian is a large part of the cost; above, the certificate's O(P³) steps
  // dominate and a pass that leaves a cluster would be paid twice.
  const auto P = static_cast<long>(p.network.num_parameters());
  if (start_bits > 53 && start_bits <= 64 && P <= 3000) {
    // The 53-bit Hessian goes straight into double midpoints and radii (no P × P ball matrix).
    ClusterCertificate first = [&] {
      const ScopedBallPrecision precision(53);
      const LossFunction<Ball> fn(p.network, p.data);
      return certify_cluster(fn.hessian_enclosure(p.point_as<Ball>(), part), with_basis);
    }();
    if (first.decided && first.inertia.zero == 0) return first;
    ClusterCertificate c = certify_cluster(at, start_bits, max_bits, with_basis);
    c.tried_bits.insert(c.tried_bits.begin(), 53);
    return c;
  }
  return certify_cluster(at, start_bits, max_bits, with_basis);
}

template <class S>
SpectrumResult analyse(const Problem& p,
                       HessianPart part,
                       const SpectrumRequest& opt,
                       int ball_bits) {
  SpectrumResult r;
  r.arithmetic = ScalarTraits<S>::name();
  if (!ScalarTraits<S>::is_exact && opt.null_vectors.cols() > 0) {
    throw InvalidArgument(fmt::format(
        "--null-vectors: only for the exact inertia (-a rational), not with -a {}", r.arithmetic));
  }
  if constexpr (ScalarTraits<S>::is_interval) {
    const bool with_basis = opt.certificate && part == HessianPart::Full;
    const ClusterCertificate c = certify_problem(p, part, ball_bits, opt.max_bits, with_basis);
    fill_from_certificate(r, c);
    if (r.bits != ball_bits) r.arithmetic = fmt::format("ball:{}", r.bits);
    if (opt.certificate) {
      if (!with_basis) {
        r.certificate_note = "certificates cover the Hessian (-m hessian) only";
      } else if (const auto why = certificate_unsupported(p)) {
        r.certificate_note = *why;
      } else if (!r.certified) {
        r.certificate_note = "the inertia is not certified: " + c.reason;
      } else if (c.basis_cluster != c.inertia.zero) {
        // The cluster is the connected component of 0, which took in a resolved enclosure: the
        // checker's block structure would not re-derive these counts.
        r.certificate_note = fmt::format(
            "the cluster ({} eigenvalues) is not the trailing block of the proof's basis ({} "
            "columns); no certificate",
            c.inertia.zero,
            c.basis_cluster);
      } else {
        Certificate cert;
        cert.statement = fmt::format(
            "the Hessian of the loss at the point has {} positive and {} negative eigenvalues{}",
            c.inertia.positive,
            c.inertia.negative,
            c.has_rest ? " with |λ| >= " + format_bound(c.delta * Rational(3, 4), false, 4) : "");
        if (c.inertia.zero > 0) {
          cert.statement += fmt::format(", and {} with |λ| <= {}",
                                        c.inertia.zero,
                                        format_bound(Rational(16) * c.epsilon, true, 4));
        }
        cert.problem = certificate_problem(p);
        cert.produced_by = fmt::format("locus {} spectrum -a {}", kVersion, r.arithmetic);
        cert.facts.push_back(cluster_fact(c));
        r.certificate = std::move(cert);
      }
    }
  } else if constexpr (ScalarTraits<S>::is_exact) {
    const LossFunction<Rational> fn(p.network, p.data);
    const Mat<Rational> m = fn.hessian(p.point_as<Rational>(), part);
    // First a ball certificate of the exact matrix (cheap): when it proves every eigenvalue
    // nonzero, the inertia is exact and no exact elimination is needed. Otherwise the exact
    // inertia (modular rank, exact rank proof, LDLᵀ of a nonsingular block) decides n₀.
    ClusterCertificate c;
    {
      const ScopedBallPrecision precision(128);
      c = certify_cluster(convert_matrix<Ball>(m));
      for (const Ball& e : c.eigenvalues) add_ball_eigenvalue(r, e);
    }
    r.certified = true;
    r.verdict = "certified";
    r.zero_known = true;
    r.gap = "inf";  // exact zeros
    const DecidedInertia by_balls = decide_inertia(c);
    if (by_balls.decided && by_balls.zero_exact && !opt.kernel && !opt.ldlt &&
        opt.null_vectors.cols() == 0) {
      r.method = by_balls.algorithm;
      r.inertia = by_balls.inertia;
      r.bits = c.bits;
      r.proved_by =
          "Arb balls (128 bits) enclosing the exact rational matrix: every eigenvalue is certified "
          "nonzero, so the inertia is exact";
      r.delta = c.has_rest ? format_bound(c.delta, false) : "none";
      r.epsilon = format_bound(c.epsilon, true);
    } else {
      ExactInertiaOptions exact;
      exact.with_null_basis = opt.kernel;
      exact.null_vectors = opt.null_vectors;
      const DecidedInertia ex = decide_inertia(m, exact);
      r.method = ex.algorithm;
      r.inertia = ex.inertia;
      r.proved_by = "exact rational LDLT (Sylvester's law of inertia): " + ex.proof;
      if (opt.kernel) {
        for (Eigen::Index j = 0; j < ex.kernel.cols(); ++j) {
          std::vector<std::string> col;
          for (Eigen::Index i = 0; i < ex.kernel.rows(); ++i)
            col.push_back(locus::to_string(ex.kernel(i, j)));
          r.kernel.push_back(std::move(col));
        }
      }
      if (c.proved && c.inertia.zero == ex.inertia.zero) {
        r.epsilon = format_bound(c.epsilon, true);
        r.delta = c.has_rest ? format_bound(c.delta, false) : "none";
      }
    }
    if (opt.certificate) {
      if (part != HessianPart::Full) {
        r.certificate_note = "certificates cover the Hessian (-m hessian) only";
      } else if (const auto why = certificate_unsupported(p)) {
        r.certificate_note = *why;
      } else {
        // The factors the checker multiplies back; their inertia must be the one reported.
        const ExactLdlt f = exact_ldlt(m);
        if (!(f.inertia == r.inertia)) {
          throw Error(fmt::format("internal: the exact LDLT gives inertia {}, the report {}",
                                  to_string(f.inertia),
                                  to_string(r.inertia)));
        }
        Certificate cert;
        cert.statement =
            fmt::format("the Hessian of the loss at the point has inertia {} (n+, n-, n0), exactly",
                        to_string(r.inertia));
        cert.problem = certificate_problem(p);
        cert.produced_by = fmt::format("locus {} spectrum -a rational", kVersion);
        cert.facts.push_back(ldlt_fact(f));
        r.certificate = std::move(cert);
      }
    }
  } else {
    // multiprecision points (not intervals): Eigen's eigensolver on them is slow
    constexpr bool is_mpfr = ScalarTraits<S>::is_multiprecision && !ScalarTraits<S>::is_interval;
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
      const DecidedInertia nn = decide_inertia_numerically<S>(es.values, m.norm());
      r.method = nn.algorithm;
      r.certified = nn.evidence.proves();  // false: floating point
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
      for (Eigen::Index i = 0; i < es.values.size(); ++i) {
        r.eigenvalues.push_back(ScalarTraits<S>::to_string(es.values(i)));
        r.eigenvalues_double.push_back(ScalarTraits<S>::to_double(es.values(i)));
      }
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
      SpectrumResult c;
      fill_from_certificate(c, certify_problem(p, part, ScalarTraits<S>::digits(), opt.max_bits));
      c.arithmetic = r.arithmetic;
      if (direct) {
        c.eigenvalues = std::move(r.eigenvalues);
        c.eigenvalues_double = std::move(r.eigenvalues_double);
        c.eigenvalue_radii.clear();  // MPFR's own eigenvalues carry no error bound
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
}  // namespace

std::string_view to_string(HessianPart part) noexcept {
  switch (part) {
    case HessianPart::Full:
      return "hessian";
    case HessianPart::GaussNewton:
      return "gauss-newton";
    case HessianPart::Residual:
      return "residual-hessian";
  }
  return "hessian";
}

HessianPart parse_hessian_part(std::string_view text) {
  for (const HessianPart part :
       {HessianPart::Full, HessianPart::GaussNewton, HessianPart::Residual}) {
    if (text == to_string(part)) return part;
  }
  throw InvalidArgument(
      fmt::format("--matrix '{}': expected hessian, gauss-newton or residual-hessian", text));
}

nlohmann::json lanczos_report(const Problem& p, const SpectrumRequest& opt) {
  const HessianPart part = opt.matrix;
  if (!is_native_double(opt.arithmetic)) {
    throw InvalidArgument(
        fmt::format("--lanczos runs in double only (matrix-free, numerical); got --arithmetic {}",
                    opt.arithmetic.name()));
  }
  if (part != HessianPart::Full) {
    throw InvalidArgument("--lanczos supports --matrix hessian only");
  }
  const auto t0 = std::chrono::steady_clock::now();
  // One process: the loss function itself. Under mpirun with several ranks: every rank holds a
  // share of the samples, the products are summed over the ranks, and every rank runs the same
  // solver on the same vectors (locus/parallel/distributed.hpp).
  const Ranks ranks = mpi_ranks();
  std::optional<DistributedLoss<double>> spread;
  std::optional<LossFunction<double>> whole;
  if (ranks.size > 1 || opt.memory_budget || opt.slepc) {
    spread.emplace(p, opt.memory_budget, false);
  }
  if (ranks.size == 1) whole.emplace(p.network, p.data);
  const Vec<double> theta = p.point_as<double>();
  const auto n = static_cast<Eigen::Index>(p.network.num_parameters());
  const SymmetricOperator op = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
    y = whole ? whole->hessian_vector_product(theta, x) : spread->hessian_vector_product(theta, x);
  };
  // the restarted solver unless --steps asks for the fixed-step one or the operator is too small
  // for a Krylov subspace larger than K
  const bool restarted = opt.steps == 0 && opt.lanczos + 1 < n;
  const int steps =
      opt.steps > 0 ? opt.steps
                    : static_cast<int>(std::min<Eigen::Index>(n, std::max(3 * opt.lanczos, 40)));
  const auto k = static_cast<std::size_t>(std::min<long>(opt.lanczos, static_cast<long>(n)));
  std::vector<std::string> top, bottom, top_res, bottom_res;
  const auto add = [](std::vector<std::string>& values,
                      std::vector<std::string>& residuals,
                      double v,
                      double r) {
    values.push_back(fmt::format("{:.17g}", v));
    residuals.push_back(fmt::format("{:.3g}", r));
  };
  nlohmann::json solver;
  if (opt.slepc) {
    if (opt.steps > 0) throw InvalidArgument("--solver slepc runs to --tolerance; drop --steps");
    if (opt.lanczos + 1 >= n) {
      throw InvalidArgument(
          fmt::format("--solver slepc needs K + 1 < P (K = {}, P = {})", opt.lanczos, n));
    }
  }
  if (opt.slepc || restarted) {
    // Spectra's restarted Lanczos, or SLEPc's Krylov–Schur on a PETSc shell matrix whose
    // product is the distributed one; both ends
    const auto solve = [&](SpectrumEnd end) {
      if (!opt.slepc) {
        return extreme_eigenvalues(
            op, n, opt.lanczos, end, opt.tolerance, opt.max_restarts, opt.seed, opt.subspace);
      }
      const SlepcEigenvalues s = slepc_extreme_eigenvalues(*spread,
                                                           theta,
                                                           opt.lanczos,
                                                           end,
                                                           opt.tolerance,
                                                           opt.max_restarts,
                                                           opt.seed,
                                                           opt.subspace);
      ExtremeEigenvalues e;
      e.values = s.values;
      e.residuals = s.residuals;
      e.converged = s.converged;
      e.products = s.products;
      e.checks = s.checks;
      e.restarts = s.iterations;
      e.subspace = s.subspace;
      e.seed = s.seed;
      return e;
    };
    long products = 0, restarts = 0;
    bool converged = true;
    int subspace = 0;
    nlohmann::json ends = nlohmann::json::array();
    for (const SpectrumEnd end : {SpectrumEnd::Largest, SpectrumEnd::Smallest}) {
      const ExtremeEigenvalues e = solve(end);
      products += e.products + e.checks;
      restarts += e.restarts;
      converged = converged && e.converged;
      subspace = e.subspace;
      ends.push_back({{"end", end == SpectrumEnd::Largest ? "largest" : "smallest"},
                      {"products", e.products},
                      {"unrestarted", e.unrestarted},
                      {"residual_checks", e.checks},
                      {"restarts", e.restarts},
                      {"converged", e.converged}});
      for (std::size_t i = 0; i < e.values.size(); ++i) {
        add(end == SpectrumEnd::Largest ? top : bottom,
            end == SpectrumEnd::Largest ? top_res : bottom_res,
            e.values[i],
            e.residuals[i]);
      }
    }
    solver = {{"name", opt.slepc ? "krylov-schur" : "restarted"},
              {"library",
               opt.slepc ? "SLEPc EPS (Krylov-Schur) on a PETSc shell matrix"
               : opt.subspace > 0
                   ? "Spectra SymEigsSolver (implicitly restarted Lanczos)"
                   : "Lanczos with full reorthogonalisation while its basis fits (256 MiB), then "
                     "Spectra SymEigsSolver (implicitly restarted Lanczos)"},
              {"tolerance", fmt::format("{:.3g}", opt.tolerance)},
              {"subspace", subspace},
              {"products", products},
              {"restarts", restarts},
              {"converged", converged},
              {"ends", ends}};
  } else {
    const RitzValues rv = lanczos(op, n, steps, opt.seed);
    const std::size_t kk = std::min(k, rv.values.size());
    for (std::size_t i = 0; i < kk; ++i) {
      const std::size_t hi = rv.values.size() - 1 - i;
      add(top, top_res, rv.values[hi], rv.residuals[hi]);
      add(bottom, bottom_res, rv.values[i], rv.residuals[i]);
    }
    solver = {{"name", "fixed-steps"}, {"steps", rv.steps}, {"products", rv.steps}};
  }
  SpectralDensity density;
  if (opt.probes > 0) {
    // with --solver slepc the Lanczos runs on PETSc vectors spread over the ranks
    density = opt.slepc ? slepc_spectral_density(
                              *spread, theta, std::min(steps, 80), opt.probes, opt.seed + 1)
                        : spectral_density(op, n, std::min(steps, 80), opt.probes, opt.seed + 1);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  nlohmann::json j;
  j["arithmetic"] = "double";
  j["matrix"] = std::string(to_string(opt.matrix));
  j["P"] = n;
  j["method"] = "lanczos";
  j["certified"] = false;
  j["solver"] = solver;
  if (solver.contains("steps")) j["steps"] = solver["steps"];
  j["seed"] = opt.seed;
  j["ranks"] = ranks.size;
  if (ranks.size > 1) {
    j["samples_per_rank"] = spread->local_samples();
    j["communication"] = {{"bytes_sent_by_rank_0", spread->bytes_sent()},
                          {"seconds_in_sums", spread->seconds_communicating()}};
  }
  j["largest"] = top;
  j["largest_residuals"] = top_res;
  j["smallest"] = bottom;
  j["smallest_residuals"] = bottom_res;
  if (opt.probes > 0) {
    std::vector<std::string> nodes, weights;
    for (double x : density.nodes) nodes.push_back(fmt::format("{:.10g}", x));
    for (double x : density.weights) weights.push_back(fmt::format("{:.6g}", x));
    j["density"] = {
        {"nodes", nodes},
        {"weights", weights},
        {"vectors", opt.slepc ? "PETSc, rows spread over the ranks" : "Eigen, on every rank"},
        {"probes", density.probes},
        {"steps", density.steps},
        {"seed", density.seed}};
  }
  j["seconds"] = fmt::format("{:.3f}", seconds);
  return j;
}

nlohmann::json to_json(const SpectrumResult& r,
                       const SpectrumRequest& opt,
                       const Problem& p,
                       double seconds) {
  nlohmann::json j;
  j["arithmetic"] = r.arithmetic;
  j["matrix"] = std::string(to_string(opt.matrix));
  j["P"] = p.network.num_parameters();
  j["eigenvalues"] = r.eigenvalues;
  // The same eigenvalues as JSON numbers (known defect: users parsed the strings with regexes).
  j["eigenvalues_double"] = r.eigenvalues_double;
  if (!r.eigenvalue_radii.empty()) j["eigenvalue_radii"] = r.eigenvalue_radii;
  j["inertia"] = {{"positive", r.inertia.positive},
                  {"negative", r.inertia.negative},
                  {"zero", r.zero_known ? nlohmann::json(r.inertia.zero) : nlohmann::json()}};
  if (r.cluster_size >= 0) {
    j["cluster"] = {{"size", r.cluster_size}, {"epsilon", r.epsilon}, {"delta", r.delta}};
  }
  j["certified"] = r.certified;
  j["method"] = to_string(r.method);
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
  if (opt.max_bits < 2) {
    throw InvalidArgument(fmt::format("--max-bits {}: expected at least 2", opt.max_bits));
  }
  if (opt.lanczos > 0 && opt.null_vectors.cols() > 0) {
    throw InvalidArgument(
        "--null-vectors: only for the exact inertia (-a rational), not with --lanczos");
  }
}

Mat<Rational> parse_null_vectors(const nlohmann::json& j, Eigen::Index p) {
  const nlohmann::json& cols = j.is_object() && j.contains("kernel") ? j.at("kernel") : j;
  if (!cols.is_array()) {
    throw ParseError(
        "null vectors: expected an array of columns, or an object with one under \"kernel\"");
  }
  Mat<Rational> k(p, static_cast<Eigen::Index>(cols.size()));
  for (std::size_t c = 0; c < cols.size(); ++c) {
    const nlohmann::json& col = cols[c];
    if (!col.is_array() || static_cast<Eigen::Index>(col.size()) != p) {
      throw InvalidArgument(fmt::format("null vectors: column {} has {} entries, expected P = {}",
                                        c,
                                        col.is_array() ? col.size() : 0,
                                        p));
    }
    for (std::size_t i = 0; i < col.size(); ++i) {
      const nlohmann::json& e = col[i];
      std::string text;
      if (e.is_string()) {
        text = e.get<std::string>();
      } else if (e.is_number_integer()) {
        text = e.dump();
      } else {
        throw ParseError(fmt::format(
            "null vectors: column {}, entry {}: {} is not an exact number (write it as text, "
            "e.g. \"-3/7\")",
            c,
            i,
            e.dump()));
      }
      try {
        k(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = parse_rational(text);
      } catch (const Error& err) {
        throw ParseError(fmt::format("null vectors: column {}, entry {}: {}", c, i, err.what()));
      }
    }
  }
  return k;
}

Mat<Rational> read_null_vectors_file(const std::string& path, Eigen::Index p) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(fmt::format("--null-vectors: cannot read '{}'", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parse_null_vectors(parse_json_exact(buffer.str(), path), p);
}

SpectrumResult analyse_spectrum(const Problem& p, const SpectrumRequest& opt) {
  validate(opt);
  const Arithmetic& a = opt.arithmetic;
  const HessianPart part = opt.matrix;
  return dispatch(a, [&]<class S>(std::type_identity<S>) {
    SpectrumResult r = analyse<S>(p, part, opt, a.bits);
    // The evidence of the scalar that decided the inertia (balls: at the precision that did),
    // lowered unless the inertia is certified.
    Evidence e;
    if constexpr (ScalarTraits<S>::is_interval) {
      const ScopedBallPrecision precision(static_cast<int>(r.bits > 0 ? r.bits : a.bits));
      e = Evidence::of<S>();
    } else {
      e = Evidence::of<S>();
    }
    r.evidence = r.certified ? e : e.conditional();
    if (opt.certificate && !r.certificate && r.certificate_note.empty()) {
      r.certificate_note = fmt::format(
          "no certificate for -a {}: certificates of the inertia are written for -a rational "
          "and -a ball:BITS",
          r.arithmetic);
    }
    return r;
  });
}

nlohmann::json spectrum_report(const Problem& p, const SpectrumRequest& request) {
  const auto t0 = std::chrono::steady_clock::now();
  validate(request);
  require_point(p, "problem", "`locus spectrum` needs the parameter vector θ");
  if (request.lanczos > 0) return lanczos_report(p, request);
  if (mpi_ranks().size > 1) {
    throw InvalidArgument(
        "under mpirun with several ranks, `locus spectrum` runs matrix-free (--lanczos K); the "
        "dense spectrum is computed in one process");
  }
  const SpectrumResult r = analyse_spectrum(p, request);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return to_json(r, request, p, seconds);
}

}  // namespace locus::api
