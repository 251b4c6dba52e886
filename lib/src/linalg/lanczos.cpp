// Lanczos with full reorthogonalisation and stochastic Lanczos quadrature (lanczos.hpp).
#include "locus/linalg/lanczos.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "locus/error.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

#include <Spectra/SymEigsSolver.h>

namespace locus {
namespace {

using Tridiagonal = LanczosTridiagonal;

Tridiagonal run(const SymmetricOperator& op, Eigen::VectorXd v, int steps) {
  const Eigen::Index n = v.size();
  const int m = static_cast<int>(std::min<Eigen::Index>(steps, n));
  Eigen::MatrixXd basis(n, m);
  Tridiagonal t;
  v.normalize();
  Eigen::VectorXd w(n);
  for (int j = 0; j < m; ++j) {
    basis.col(j) = v;
    op(v, w);
    const double a = v.dot(w);
    t.alpha.push_back(a);
    // Full reorthogonalisation (twice is enough: Kahan-Parlett).
    for (int pass = 0; pass < 2; ++pass) {
      w.noalias() -= basis.leftCols(j + 1) * (basis.leftCols(j + 1).transpose() * w);
    }
    const double b = w.norm();
    t.beta.push_back(b);
    if (lanczos_breakdown(a, b)) break;
    v = w / b;
  }
  return t;
}

Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solve(const Tridiagonal& t) {
  const auto k = static_cast<Eigen::Index>(t.alpha.size());
  Eigen::MatrixXd tm = Eigen::MatrixXd::Zero(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    tm(j, j) = t.alpha[static_cast<std::size_t>(j)];
    if (j + 1 < k) tm(j, j + 1) = tm(j + 1, j) = t.beta[static_cast<std::size_t>(j)];
  }
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(tm);
}

void check(Eigen::Index n, int steps) {
  if (n < 1) throw InvalidArgument(fmt::format("lanczos: order {}, expected at least 1", n));
  if (steps < 1)
    throw InvalidArgument(fmt::format("lanczos: {} steps, expected at least 1", steps));
}

}  // namespace

RitzValues lanczos(const SymmetricOperator& op, Eigen::Index n, int steps, std::uint64_t seed) {
  check(n, steps);
  std::mt19937_64 g(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v(i) = normal(g);
  const Tridiagonal t = run(op, v, steps);
  const auto es = solve(t);
  RitzValues out;
  out.steps = static_cast<int>(t.alpha.size());
  out.seed = seed;
  const double last_beta = t.beta.back();
  for (Eigen::Index j = 0; j < es.eigenvalues().size(); ++j) {
    out.values.push_back(es.eigenvalues()(j));
    out.residuals.push_back(
        std::abs(last_beta * es.eigenvectors()(es.eigenvectors().rows() - 1, j)));
  }
  return out;
}

namespace {

// The operator as Spectra's OpType (rows, cols, perform_op on raw arrays), counting products.
class SpectraOperator {
 public:
  using Scalar = double;
  SpectraOperator(const SymmetricOperator& op, Eigen::Index n) : op_(op), n_(n), x_(n), y_(n) {}
  [[nodiscard]] Eigen::Index rows() const { return n_; }
  [[nodiscard]] Eigen::Index cols() const { return n_; }
  void perform_op(const double* x_in, double* y_out) const {
    x_ = Eigen::Map<const Eigen::VectorXd>(x_in, n_);
    op_(x_, y_);
    Eigen::Map<Eigen::VectorXd>(y_out, n_) = y_;
    ++products_;
  }
  [[nodiscard]] long products() const { return products_; }

 private:
  const SymmetricOperator& op_;
  Eigen::Index n_;
  mutable Eigen::VectorXd x_, y_;
  mutable long products_ = 0;
};

// The first phase of extreme_eigenvalues: Lanczos with full reorthogonalisation and no restart,
// for at most `max_steps` steps, checking the k wanted Ritz values with Spectra's (and ARPACK's)
// criterion |β_j s_ji| <= tolerance·max(|θ_i|, ε^(2/3)) as the basis grows. An unrestarted
// Krylov space holds every direction a restart would discard, so the wanted values converge in
// fewer products than in a restarted space of a few k vectors; the price is the basis in memory.
struct FirstPhase {
  bool converged = false;
  bool invariant = false;  // stopped on an invariant subspace of fewer than n vectors
  long products = 0;
  int steps = 0;
  Eigen::VectorXd values;   // the k wanted Ritz values, outermost first
  Eigen::MatrixXd vectors;  // their Ritz vectors (n × k), unit length
};

FirstPhase unrestarted(const SymmetricOperator& op,
                       const Eigen::VectorXd& start,
                       int k,
                       SpectrumEnd end,
                       double tolerance,
                       int max_steps) {
  const Eigen::Index n = start.size();
  FirstPhase out;
  Eigen::MatrixXd basis(n, max_steps);
  std::vector<double> alpha, beta;
  Eigen::VectorXd v = start.normalized();
  Eigen::VectorXd w(n);
  const double eps23 = std::pow(std::numeric_limits<double>::epsilon(), 2.0 / 3.0);
  int next_check = k + 1;
  for (int j = 0; j < max_steps; ++j) {
    basis.col(j) = v;
    op(v, w);
    ++out.products;
    const double a = v.dot(w);
    alpha.push_back(a);
    for (int pass = 0; pass < 2; ++pass) {  // twice is enough (Kahan–Parlett)
      w.noalias() -= basis.leftCols(j + 1) * (basis.leftCols(j + 1).transpose() * w);
    }
    const double b = w.norm();
    beta.push_back(b);
    out.steps = j + 1;
    const bool breakdown = lanczos_breakdown(a, b);
    if (out.steps >= next_check || breakdown || out.steps == max_steps) {
      // every step while the basis is small, then every steps/40 (the check is O(steps³))
      next_check = out.steps + std::max(1, out.steps / 40);
      const Eigen::Index m = out.steps;
      if (m >= k) {
        Eigen::VectorXd diag = Eigen::Map<const Eigen::VectorXd>(alpha.data(), m);
        Eigen::VectorXd sub = Eigen::Map<const Eigen::VectorXd>(beta.data(), m - 1);
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es;
        es.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
        bool all = es.info() == Eigen::Success;
        out.values.resize(k);
        std::vector<Eigen::Index> index(static_cast<std::size_t>(k));
        for (int i = 0; i < k; ++i) {
          const Eigen::Index c = end == SpectrumEnd::Largest ? m - 1 - i : i;  // ascending order
          index[static_cast<std::size_t>(i)] = c;
          const double theta = es.eigenvalues()(c);
          out.values(i) = theta;
          const double estimate = std::abs(b * es.eigenvectors()(m - 1, c));
          all = all && estimate <= tolerance * std::max(std::abs(theta), eps23);
        }
        if (all || breakdown || out.steps == max_steps) {
          out.vectors.resize(n, k);
          for (int i = 0; i < k; ++i) {
            out.vectors.col(i) =
                basis.leftCols(m) * es.eigenvectors().col(index[static_cast<std::size_t>(i)]);
            out.vectors.col(i).normalize();
          }
          // An invariant subspace (breakdown before n steps) holds each of its eigenvalues once,
          // whatever its multiplicity in M: never taken as converged, and Spectra starts again
          // from the Gaussian vector. n steps span the whole space: T_n's eigenvalues are M's.
          const bool whole = m == n;
          out.invariant = breakdown && !whole;
          out.converged = whole || (all && !breakdown);
          return out;
        }
      }
    }
    if (breakdown) return out;  // an invariant subspace of fewer than k vectors
    v = w / b;
  }
  return out;
}

// Basis vectors the unrestarted phase may keep: 256 MiB of them, at most 600; below 4k + 1
// vectors it has little chance to converge and is skipped (P ≈ 10⁶ goes straight to Spectra).
int unrestarted_steps(Eigen::Index n, int k) {
  const double budget = 256.0 * 1024 * 1024 / (8.0 * static_cast<double>(n));
  const auto limit = static_cast<int>(std::min<double>({budget, 600.0, static_cast<double>(n)}));
  return limit >= 4 * k + 1 ? limit : 0;
}

}  // namespace

ExtremeEigenvalues extreme_eigenvalues(const SymmetricOperator& op,
                                       Eigen::Index n,
                                       int k,
                                       SpectrumEnd end,
                                       double tolerance,
                                       int max_restarts,
                                       std::uint64_t seed,
                                       int subspace,
                                       int first_phase_limit) {
  if (k < 1 || k >= n) {
    throw InvalidArgument(fmt::format(
        "extreme_eigenvalues: {} eigenvalues of an order-{} operator, expected 1 <= k < {}",
        k,
        n,
        n));
  }
  if (!(tolerance > 0) || max_restarts < 1) {
    throw InvalidArgument(fmt::format(
        "extreme_eigenvalues: tolerance {} and {} restarts, expected tolerance > 0 and >= 1 "
        "restart",
        tolerance,
        max_restarts));
  }
  const Eigen::Index ncv =
      subspace > 0 ? subspace : std::min<Eigen::Index>(n, std::max(2 * k + 1, 20));
  if (ncv <= k || ncv > n) {
    throw InvalidArgument(fmt::format(
        "extreme_eigenvalues: a Krylov subspace of {} for {} eigenvalues of order {}, expected "
        "k < subspace <= n",
        ncv,
        k,
        n));
  }
  std::mt19937_64 g(seed);
  std::normal_distribution<double> normal;
  Eigen::VectorXd start(n);
  for (Eigen::Index i = 0; i < n; ++i) start(i) = normal(g);
  ExtremeEigenvalues out;
  out.seed = seed;
  // Without an explicit subspace: first the unrestarted phase while its basis fits; if it does
  // not converge there, Spectra starts from the sum of its k Ritz vectors.
  const int first_steps =
      subspace > 0
          ? 0
          : (first_phase_limit >= 0 ? static_cast<int>(std::min<Eigen::Index>(first_phase_limit, n))
                                    : unrestarted_steps(n, k));
  if (first_steps > 0) {
    const FirstPhase first = unrestarted(op, start, k, end, tolerance, first_steps);
    out.unrestarted = first.products;
    if (first.converged) {
      out.converged = true;
      out.products = first.products;
      out.subspace = first.steps;
      Eigen::VectorXd my(n);
      for (int j = 0; j < k; ++j) {
        const Eigen::VectorXd y = first.vectors.col(j);
        op(y, my);
        ++out.checks;
        out.values.push_back(first.values(j));
        out.residuals.push_back((my - first.values(j) * y).norm());
      }
      return out;
    }
    if (first.vectors.cols() == k && !first.invariant) {
      const Eigen::VectorXd sum = first.vectors.rowwise().sum();
      if (sum.norm() > 0 && std::isfinite(sum.norm())) start = sum;
    }
  }
  SpectraOperator sop(op, n);
  Spectra::SymEigsSolver<SpectraOperator> solver(sop, k, ncv);
  solver.init(start.data());
  const Spectra::SortRule rule = end == SpectrumEnd::Largest ? Spectra::SortRule::LargestAlge
                                                             : Spectra::SortRule::SmallestAlge;
  solver.compute(rule, max_restarts, tolerance, rule);
  out.converged = solver.info() == Spectra::CompInfo::Successful;
  out.restarts = static_cast<long>(solver.num_iterations());
  out.subspace = static_cast<int>(ncv);
  // the converged pairs (all k when converged), outermost first; residuals recomputed
  out.products = out.unrestarted + sop.products();
  const Eigen::VectorXd values = solver.eigenvalues();
  const Eigen::MatrixXd vectors = solver.eigenvectors();
  Eigen::VectorXd y(n), my(n);
  for (Eigen::Index j = 0; j < values.size(); ++j) {
    y = vectors.col(j);
    y.normalize();
    sop.perform_op(y.data(), my.data());
    out.values.push_back(values(j));
    out.residuals.push_back((my - values(j) * y).norm());
  }
  out.checks = out.unrestarted + sop.products() - out.products;
  return out;
}

bool lanczos_breakdown(double a, double b) noexcept {
  return b <= 1e3 * std::numeric_limits<double>::epsilon() * std::max(1.0, std::abs(a));
}

SpectralDensity spectral_density(
    const SymmetricOperator& op, Eigen::Index n, int steps, int probes, std::uint64_t seed) {
  return spectral_density_with(
      [&](const Eigen::VectorXd& v) { return run(op, v, steps); }, n, steps, probes, seed);
}

SpectralDensity spectral_density_with(
    const std::function<LanczosTridiagonal(const Eigen::VectorXd& probe)>& run_probe,
    Eigen::Index n,
    int steps,
    int probes,
    std::uint64_t seed) {
  check(n, steps);
  if (probes < 1)
    throw InvalidArgument(fmt::format("spectral_density: {} probes, expected >= 1", probes));
  std::mt19937_64 g(seed);
  std::bernoulli_distribution coin;
  SpectralDensity out;
  out.probes = probes;
  out.steps = steps;
  out.seed = seed;
  for (int p = 0; p < probes; ++p) {
    Eigen::VectorXd v(n);
    for (Eigen::Index i = 0; i < n; ++i) v(i) = coin(g) ? 1.0 : -1.0;
    const auto es = solve(run_probe(v));
    for (Eigen::Index j = 0; j < es.eigenvalues().size(); ++j) {
      const double s = es.eigenvectors()(0, j);
      out.nodes.push_back(es.eigenvalues()(j));
      out.weights.push_back(s * s / probes);
    }
  }
  return out;
}

}  // namespace locus
