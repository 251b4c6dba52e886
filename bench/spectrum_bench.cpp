// Spectra benchmarks (issue: certified spectra). Prints markdown for docs/benchmarks.md.
//
//   1. certified inertia with balls (ball:256, Hessian in balls included) of a P = 371 Hessian
//      ([2, 16, 16, 3] sigmoid, N = 300) and of a P ≈ 2000 Hessian;
//   2. exact inertia of a P = 201 rational Hessian from a polynomial network (and of a singular
//      congruent matrix): the modular method, with supplied null vectors, and fraction-free LDLᵀ;
//   3. Lanczos top-20 eigenvalues (restarted, Spectra) of a P ≈ 10⁶ MLP Hessian on N = 1000 samples, against
//      PyHessian-style power iteration with deflation in PyTorch (bench/torch_power_iteration.py)
//      on the same problem file and threads.
//
// Usage: locus_bench_spectrum OUT_DIR [--no-torch] [--no-large] [--lanczos-only | --exact-only]
//        locus_bench_spectrum OUT_DIR --write-certified   (writes the P = 1983 problem file only)
//        locus_bench_spectrum OUT_DIR --certified-only BITS (measurement 1 alone, at BITS)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/dataset.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/lanczos.hpp"
#include "locus/linalg/spectrum.hpp"

#include <fmt/format.h>

#include <sys/resource.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "bench_common.hpp"

namespace {

using namespace locus::bench;  // NOLINT(google-build-using-namespace)

struct Certified {
  double seconds_hessian = 0;
  double seconds_certify = 0;
  locus::ClusterCertificate c;
};

Certified certify(const locus::Problem& p, int bits) {
  Certified out;
  const locus::ScopedBallPrecision precision(bits);
  const auto t0 = Clock::now();
  const locus::LossFunction<locus::Ball> fn(p.network, p.data);
  const locus::Mat<locus::Ball> h = fn.hessian(p.point_as<locus::Ball>());
  out.seconds_hessian = since(t0);
  const auto t1 = Clock::now();
  out.c = locus::certify_cluster(h);
  out.seconds_certify = since(t1);
  return out;
}

void print_certified(const std::string& label, const locus::Problem& p, const Certified& r) {
  fmt::print(
      "| {} ({}, N = {}, P = {}) | {:.1f} s (Hessian in balls {:.1f} s + certificate {:.1f} s) | "
      "{} (n+, n-, n0) = {}, refined block {}, every nonzero |λ| ≥ {} |\n",
      label,
      p.network.describe(),
      p.data.size(),
      p.network.num_parameters(),
      r.seconds_hessian + r.seconds_certify,
      r.seconds_hessian,
      r.seconds_certify,
      r.c.decided ? "decided" : "undecided",
      locus::to_string(r.c.inertia),
      r.c.refined,
      r.c.has_rest ? locus::format_bound(r.c.delta, false, 3) : "-");
}

// A polynomial network with rational data and point, P = 201. small: integer data in [-2, 2],
// point in (1/2)Z, σ = z + z²/2; otherwise data p/q with q <= 4, point p/q with q in 5..20,
// σ = z + z²/2 + z³/6 (Hessian entries of several hundred bits).
locus::Problem exact_problem(bool small) {
  locus::Problem p;
  p.network.widths = {4, 12, 10, 1};
  if (small) {
    p.network.activation = locus::Activation::polynomial(
        {locus::Rational(0), locus::Rational(1), locus::Rational(1, 2)});
  } else {
    p.network.activation = locus::Activation::polynomial(
        {locus::Rational(0), locus::Rational(1), locus::Rational(1, 2), locus::Rational(1, 6)});
  }
  std::mt19937_64 g(3);
  std::uniform_int_distribution<int> num(small ? -2 : -9, small ? 2 : 9), den(1, small ? 1 : 4),
      pden(small ? 2 : 5, small ? 2 : 20);
  const int n = 50;
  p.data.inputs.resize(n, 4);
  p.data.targets.resize(n, 1);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < 4; ++j) p.data.inputs(i, j) = locus::Rational(num(g)) / den(g);
    p.data.targets(i, 0) = locus::Rational(num(g)) / 7;
  }
  locus::Vec<locus::Rational> theta(p.network.num_parameters());
  for (Eigen::Index i = 0; i < theta.size(); ++i) theta(i) = locus::Rational(num(g)) / pden(g);
  p.point = theta;
  return p;
}

// Exact inertia of `h` three ways, side by side in one run: the modular method, the modular
// method with the supplied null vectors `k` (when any), and the fraction-free LDLᵀ cross-check.
void print_exact(const std::string& label,
                 const locus::Problem& p,
                 const locus::Mat<locus::Rational>& h,
                 double seconds_hessian,
                 std::size_t bits,
                 const locus::Mat<locus::Rational>& k) {
  const std::string what = fmt::format("{}{}, N = {}, P = {}; entries up to {} bits",
                                       label,
                                       p.network.describe(),
                                       p.data.size(),
                                       p.network.num_parameters(),
                                       bits);
  const auto t0 = Clock::now();
  const locus::ExactInertia modular = locus::exact_inertia(h);
  const double tm = since(t0);
  fmt::print("| exact inertia, modular ({}) | {:.2f} s{} | (n+, n-, n0) = {}; {} |\n",
             what,
             tm,
             seconds_hessian > 0 ? fmt::format(" (+ exact Hessian {:.1f} s)", seconds_hessian)
                                 : std::string(),
             locus::to_string(modular.inertia),
             modular.how);
  if (k.cols() > 0) {
    locus::ExactInertiaOptions with;
    with.null_vectors = k;
    const auto t1 = Clock::now();
    const locus::ExactInertia supplied = locus::exact_inertia(h, with);
    const double ts = since(t1);
    fmt::print(
        "| exact inertia, modular with {} supplied null vectors ({}) | {:.2f} s | (n+, n-, "
        "n0) = {}; {} |\n",
        k.cols(),
        what,
        ts,
        locus::to_string(supplied.inertia),
        supplied.how);
  }
  locus::ExactInertiaOptions ff;
  ff.method = locus::ExactInertiaMethod::FractionFree;
  const auto t2 = Clock::now();
  const locus::ExactInertia cross = locus::exact_inertia(h, ff);
  const double tf = since(t2);
  fmt::print(
      "| exact inertia, fraction-free LDLᵀ cross-check ({}) | {:.1f} s | (n+, n-, n0) = {}; {} "
      "the modular result; modular is {:.0f}× faster |\n",
      what,
      tf,
      locus::to_string(cross.inertia),
      cross.inertia == modular.inertia ? "agrees with" : "DISAGREES with",
      tf / tm);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string out_dir = argc > 1 ? argv[1] : "bench/out";
  bool with_torch = true, large = true, lanczos_only = false, exact_only = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--no-torch") with_torch = false;
    if (a == "--no-large") large = false;
    if (a == "--lanczos-only") lanczos_only = true;  // measurement 3 alone
    if (a == "--exact-only") exact_only = true;      // measurement 2 alone
  }
  std::filesystem::create_directories(out_dir);
  if (argc > 2 && std::string(argv[2]) == "--write-certified") {
    // the problem of the P ≈ 2000 certified row, for the command-line comparison
    // (bench/certified_peer_bench.py)
    locus::write_problem_file(make_problem({10, 40, 35, 3}, 100, 12, 0.3),
                              out_dir + "/certified_problem.json");
    return 0;
  }
  if (argc > 3 && std::string(argv[2]) == "--certified-only") {
    // the certified rows alone (P = 371 and P ≈ 2000), at the precision given
    const int bits = std::stoi(argv[3]);
    for (const auto& p : {make_problem({2, 16, 16, 3}, 300, 11, 0.3),
                          make_problem({10, 40, 35, 3}, 100, 12, 0.3)}) {
      print_certified(fmt::format("certified inertia, ball:{}", bits), p, certify(p, bits));
    }
    return 0;
  }
  int threads = 1;
#ifdef _OPENMP
  threads = omp_get_max_threads();
#endif
  fmt::print("## Spectra (bench/spectrum_bench.cpp)\n\n");
  fmt::print(
      "{} threads. Sigmoid networks on teacher data (seeded), random points (scale 0.3).\n\n",
      threads);
  fmt::print("| measurement | time | result |\n|---|---|---|\n");
  if (!lanczos_only && !exact_only) {
    const locus::Problem p = make_problem({2, 16, 16, 3}, 300, 11, 0.3);
    print_certified("certified inertia, ball:256", p, certify(p, 256));
  }
  if (large && !lanczos_only && !exact_only) {
    const locus::Problem p = make_problem({10, 40, 35, 3}, 100, 12, 0.3);
    print_certified("certified inertia, ball:256", p, certify(p, 256));
  }
  for (const bool small : {true, false}) {
    if (lanczos_only || (!small && !large)) break;
    const locus::Problem p = exact_problem(small);
    const auto t0 = Clock::now();
    const locus::LossFunction<locus::Rational> fn(p.network, p.data);
    const auto h = fn.hessian(p.point_as<locus::Rational>());
    const double th = since(t0);
    std::size_t bits = 0;
    for (Eigen::Index j = 0; j < h.cols(); ++j) {
      for (Eigen::Index i = 0; i < h.rows(); ++i) {
        bits = std::max(bits,
                        mpz_sizeinbase(mpq_numref(h(i, j).backend().data()), 2) +
                            mpz_sizeinbase(mpq_denref(h(i, j).backend().data()), 2));
      }
    }
    print_exact("", p, h, th, bits, locus::Mat<locus::Rational>());
    if (!small) {
      // The same Hessian made singular: Uᵀ·diag(H_190, 0)·U for a product U of 400 seeded
      // elementary congruences (row/column j += t·row/column i, t in ±1, ±2), so the 11 zero
      // directions are spread over every coordinate. Its exact null vectors are U⁻¹·e_j, as a
      // construction would supply them.
      const Eigen::Index n = h.rows(), r = n - 11;
      locus::Mat<locus::Rational> m = locus::Mat<locus::Rational>::Zero(n, n);
      m.topLeftCorner(r, r) = h.topLeftCorner(r, r);
      locus::Mat<locus::Rational> k = locus::Mat<locus::Rational>::Zero(n, n - r);
      for (Eigen::Index j = r; j < n; ++j) k(j, j - r) = 1;
      std::mt19937_64 g(41);
      std::uniform_int_distribution<Eigen::Index> index(0, n - 1);
      const int ts[] = {-2, -1, 1, 2};
      std::uniform_int_distribution<int> pick(0, 3);
      for (int op = 0; op < 400; ++op) {
        const Eigen::Index i = index(g), j = index(g);
        if (i == j) continue;
        const locus::Rational t(ts[pick(g)]);
        // M <- (I + t e_i e_jᵀ)ᵀ M (I + t e_i e_jᵀ): column j += t column i, then row j += t row i
        m.col(j) += t * m.col(i);
        m.row(j) += t * m.row(i);
        k.row(i) -= t * k.row(j);  // ker <- (I − t e_i e_jᵀ) ker
      }
      std::size_t mbits = 0;
      for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index i = 0; i < n; ++i) {
          mbits = std::max(mbits,
                           mpz_sizeinbase(mpq_numref(m(i, j).backend().data()), 2) +
                               mpz_sizeinbase(mpq_denref(m(i, j).backend().data()), 2));
        }
      }
      print_exact("singular, ", p, m, 0, mbits, k);
    }
  }
  if (large && !exact_only) {
    const locus::Problem p = make_problem({100, 1000, 800, 10}, 1000, 13, 0.05);
    const std::string file = out_dir + "/lanczos_problem.json";
    locus::write_problem_file(p, file);
    const locus::LossFunction<double> fn(p.network, p.data);
    const auto theta = p.point_as<double>();
    const locus::SymmetricOperator op = [&](const Eigen::VectorXd& x, Eigen::VectorXd& y) {
      y = fn.hessian_vector_product(theta, x);
    };
    const auto n = static_cast<Eigen::Index>(p.network.num_parameters());
    const auto t0 = Clock::now();
    // restarted Lanczos (Spectra) to a relative residual of 1e-9 per Ritz value, as
    // `locus spectrum --lanczos 20 --tolerance 1e-9` runs it for the largest end
    const locus::ExtremeEigenvalues ev =
        locus::extreme_eigenvalues(op, n, 20, locus::SpectrumEnd::Largest, 1e-9, 1000, 1);
    const double tl = since(t0);
    double worst = 0;
    std::string top;
    for (std::size_t i = 0; i < ev.values.size(); ++i) {
      worst = std::max(worst, ev.residuals[i] / std::abs(ev.values[i]));
      if (i < 3) top += fmt::format("{}{:.6g}", i ? ", " : "", ev.values[i]);
    }
    fmt::print(
        "| Lanczos top-20, double, restarted (Spectra, tolerance 1e-9, subspace {}) ({}, N = {}, "
        "P = {}) | {:.1f} s | λ_max.. = {}, ...; {}, {} Hessian-vector products (+{} to recompute "
        "the residuals), {} restarts; "
        "largest relative residual of the 20 (recomputed): {:.1e}; peak RSS {:.0f} MiB |\n",
        ev.subspace,
        p.network.describe(),
        p.data.size(),
        n,
        tl,
        top,
        ev.converged ? "converged" : "NOT converged",
        ev.products,
        ev.checks,
        ev.restarts,
        worst,
        peak_rss_mib());
    if (with_torch) {
      const std::string out = run_command(fmt::format(
          "/usr/bin/python3 bench/torch_power_iteration.py {} {} 20 2>&1", file, threads));
      double t_torch = 0;
      if (std::sscanf(out.c_str(), "seconds %lf", &t_torch) == 1) {
        std::string rest = out.substr(out.find('\n') + 1);
        while (!rest.empty() && rest.back() == '\n') rest.pop_back();
        fmt::print(
            "| PyHessian-style power iteration with deflation, top-20, PyTorch float64 | {:.1f} s "
            "| "
            "{}; locus Lanczos is {:.1f}× faster |\n",
            t_torch,
            rest,
            t_torch / tl);
      } else {
        fmt::print("| PyTorch power iteration | failed | {} |\n", out.substr(0, 200));
      }
    }
  }
  return 0;
}
