// Exact inertia over Q, certified eigenvalue clusters with balls, the R7 float gap test, and the
// split-inertia prediction of Theorem S (docs/math/theorem-s.md) on exact critical points.
#include "locus/linalg/spectrum.hpp"

#include <doctest/doctest.h>

#include <random>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/lanczos.hpp"
#include "locus/scalar/all.hpp"

#include <Eigen/QR>

using locus::Ball;
using locus::Inertia;
using locus::Mat;
using locus::Rational;
using locus::Vec;

namespace {

Rational small_rational(std::mt19937_64& g) {
  std::uniform_int_distribution<int> num(-9, 9), den(1, 5);
  return Rational(num(g)) / den(g);
}

// Xᵀ D X for a random square rational X (invertible with probability 1, checked) and D diagonal.
Mat<Rational> congruent(std::mt19937_64& g, const Vec<Rational>& d) {
  const auto n = d.size();
  Mat<Rational> x(n, n);
  do {
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < n; ++j) x(i, j) = small_rational(g);
    }
  } while (locus::exact_rank(x) != n);
  return x.transpose() * d.asDiagonal() * x;
}

// M = Q diag(d) Qᵀ with a seeded orthogonal Q (a rotated diagonal matrix).
Eigen::MatrixXd rotated(const Eigen::VectorXd& d, std::uint64_t seed) {
  const Eigen::Index n = d.size();
  std::mt19937_64 g(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd x(n, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) x(i, j) = normal(g);
  }
  const Eigen::HouseholderQR<Eigen::MatrixXd> qr(x);
  const Eigen::MatrixXd q = qr.householderQ();
  return q * d.asDiagonal() * q.transpose();
}

// n eigenvalues spread over [-1, 1) with the given ones in front, rotated (seed): a bulk with a few
// separated extremes for the matrix-free solvers.
Eigen::MatrixXd bulk_with_extremes(Eigen::Index n,
                                   Eigen::Index first,
                                   const std::vector<double>& extremes,
                                   std::uint64_t seed) {
  Eigen::VectorXd diag(n);
  for (Eigen::Index i = 0; i < n; ++i) diag(i) = -1.0 + 2.0 * static_cast<double>(i) / n;
  for (std::size_t t = 0; t < extremes.size(); ++t) {
    diag(first + static_cast<Eigen::Index>(t)) = extremes[t];
  }
  return rotated(diag, seed);
}

// y = M x, counting the products in `calls`.
locus::SymmetricOperator counted_product(const Eigen::MatrixXd& m, long& calls) {
  return [&m, &calls](const Eigen::VectorXd& v, Eigen::VectorXd& y) {
    ++calls;
    y = m * v;
  };
}

Inertia inertia_of_diagonal(const Vec<Rational>& d) {
  Inertia in;
  for (Eigen::Index i = 0; i < d.size(); ++i) {
    if (d(i) > 0)
      ++in.positive;
    else if (d(i) < 0)
      ++in.negative;
    else
      ++in.zero;
  }
  return in;
}

Mat<Ball> to_balls(const Mat<Rational>& m) {
  return locus::convert_matrix<Ball>(m);
}

// The certified statement "n₀ eigenvalues in [-ε, ε], n₊ above δ, n₋ below -δ" holds for the
// MPFR-1024 eigenvalues of the exact matrix (accurate to ~1e-290 here).
void check_statement(const Mat<Rational>& m, const locus::ClusterCertificate& c) {
  const auto es = locus::symmetric_eigen(locus::convert_matrix<locus::Mpfr1024>(m), false);
  const locus::Mpfr1024 eps = locus::Mpfr1024(c.epsilon.convert_to<locus::Mpfr1024>());
  const locus::Mpfr1024 del = locus::Mpfr1024(c.delta.convert_to<locus::Mpfr1024>());
  Inertia seen;
  for (Eigen::Index i = 0; i < es.values.size(); ++i) {
    const auto& mu = es.values(i);
    if (abs(mu) <= eps) {
      ++seen.zero;
    } else {
      CHECK(abs(mu) >= del);
      ++(mu > 0 ? seen.positive : seen.negative);
    }
  }
  CHECK(seen == c.inertia);
}

}  // namespace

TEST_CASE("exact inertia equals the inertia read from MPFR-1024 eigenvalues") {
  std::mt19937_64 g(20261122);
  for (int trial = 0; trial < 12; ++trial) {
    const int n = 3 + trial % 6;
    Vec<Rational> d(n);
    std::uniform_int_distribution<int> pick(-1, 1);
    for (int i = 0; i < n; ++i) d(i) = Rational(pick(g)) * (1 + i);
    if (trial == 0) d.setZero();  // the zero matrix
    const Mat<Rational> m = congruent(g, d);
    const auto ex = locus::exact_inertia(m, true);
    CHECK(ex.inertia == inertia_of_diagonal(d));  // Sylvester
    CHECK(ex.rank == n - ex.inertia.zero);
    CHECK(ex.null_basis.cols() == ex.inertia.zero);
    CHECK((m * ex.null_basis).isZero());
    CHECK(locus::exact_rank(ex.null_basis) == ex.inertia.zero);
    // The same count from MPFR-1024 eigenvalues with a tolerance far above 2^-1000 ‖M‖.
    const auto es = locus::symmetric_eigen(locus::convert_matrix<locus::Mpfr1024>(m), false);
    const locus::Mpfr1024 tol =
        locus::Mpfr1024(1e-200) * (1 + m.cwiseAbs().maxCoeff().convert_to<double>());
    Inertia from_eig;
    for (Eigen::Index i = 0; i < es.values.size(); ++i) {
      if (abs(es.values(i)) <= tol)
        ++from_eig.zero;
      else if (es.values(i) > 0)
        ++from_eig.positive;
      else
        ++from_eig.negative;
    }
    CHECK(from_eig == ex.inertia);
  }
}

TEST_CASE("exact inertia handles zero diagonals with 2x2 pivots") {
  Mat<Rational> m = Mat<Rational>::Zero(4, 4);
  m(0, 1) = m(1, 0) = Rational(3);
  m(2, 3) = m(3, 2) = Rational(-1, 7);
  const auto ex = locus::exact_inertia(m);
  CHECK(ex.inertia == Inertia{2, 2, 0});
  // G3(a): the star-locus Hessian [[0,-6,0],[-6,0,0],[0,0,0]] has inertia (1, 1, 1).
  Mat<Rational> g3 = Mat<Rational>::Zero(3, 3);
  g3(0, 1) = g3(1, 0) = Rational(-6);
  CHECK(locus::exact_inertia(g3).inertia == Inertia{1, 1, 1});
}

TEST_CASE("bad input: non-square, non-symmetric, NaN") {
  Mat<Rational> m = Mat<Rational>::Zero(3, 3);
  m(0, 2) = Rational(1);
  CHECK_THROWS_WITH_AS(
      locus::exact_inertia(m), doctest::Contains("not symmetric"), locus::InvalidArgument);
  CHECK_THROWS_AS(locus::exact_inertia(Mat<Rational>::Zero(2, 3)), locus::InvalidArgument);
  const locus::ScopedBallPrecision precision(128);
  Mat<Ball> b = to_balls(Mat<Rational>::Identity(2, 2));
  b(0, 1) = Ball(1);
  CHECK_THROWS_WITH_AS(
      locus::certify_cluster(b), doctest::Contains("not symmetric"), locus::InvalidArgument);
  b(0, 1) = Ball(0) / Ball(0);  // NaN-like indeterminate ball
  b(1, 0) = b(0, 1);
  CHECK_THROWS_WITH_AS(
      locus::certify_cluster(b), doctest::Contains("finite"), locus::InvalidArgument);
  Vec<double> bad(2);
  bad << 1.0, std::nan("");
  CHECK_THROWS_AS(locus::float_gap<double>(bad, 1.0), locus::InvalidArgument);
}

TEST_CASE(
    "a zero cluster next to eigenvalues of 1e-30: balls certify it, double does not count it") {
  std::mt19937_64 g(7);
  // Tiny nonzero eigenvalues far below double's resolution (1e-30), and just below the split
  // threshold (1e-14), where the double eigenvectors' coupling to the cluster must not blur it.
  for (const int digits : {30, 14})
    for (int k : {1, 3}) {
      Rational e30(1);
      for (int i = 0; i < digits; ++i) e30 /= 10;
      Vec<Rational> d(8);
      d << Rational(3), Rational(-2), Rational(5), e30, -e30, Rational(0), Rational(0), Rational(0);
      for (int i = k; i < 3; ++i) d(5 + i) = Rational(1 + i);  // exactly k zeros
      const Mat<Rational> m = congruent(g, d);
      const Inertia truth = inertia_of_diagonal(d);
      REQUIRE(truth.zero == k);
      CHECK(locus::exact_inertia(m).inertia == truth);
      {
        const locus::ScopedBallPrecision precision(256);
        const auto c = locus::certify_cluster(to_balls(m));
        CHECK(c.decided);
        CHECK(c.proved);
        CHECK(c.inertia == truth);
        Rational two100(1);
        for (int i = 0; i < 100; ++i) two100 *= 2;
        CHECK(c.epsilon < Rational(1) / two100);
        CHECK(c.delta > Rational(0));
        CHECK(c.delta > c.epsilon);
        check_statement(m, c);
      }
      {
        // Escalation from 8 bits: undecided there (the cap case), decided after doubling. A cluster
        // certified at low precision may hold the 1e-30 eigenvalues too: the statement is about
        // [-ε, ε], and it must be true, which the MPFR-1024 eigenvalues check.
        const auto capped = locus::certify_cluster([&](long) { return to_balls(m); }, 8, 8);
        CHECK_FALSE(capped.decided);
        CHECK(capped.reason.find("cap") != std::string::npos);
        const auto c = locus::certify_cluster([&](long) { return to_balls(m); }, 8, 1024);
        CHECK(c.decided);
        CHECK(c.tried_bits.size() > 1);
        check_statement(m, c);
      }
      {
        // double: the 1e-30 eigenvalues fall in the numerical cluster with the zeros; the R7 count
        // is k + 2, which is why the CLI never reports a float cluster as n₀.
        const Mat<double> md = locus::convert_matrix<double>(m);
        const auto es = locus::symmetric_eigen(md, false);
        const auto nn = locus::float_gap<double>(es.values, md.norm());
        if (digits == 30) {
          CHECK(nn.inertia.zero == k + 2);
          CHECK(nn.inertia.zero != truth.zero);
        }
      }
    }
}

TEST_CASE("float gap: no gap means undecided") {
  Vec<double> mu(5);
  mu << -1.0, 1e-14, 2e-13, 0.5, 1.0;  // τ = 10·5·u·‖M‖ ≈ 1.6e-14: 2e-13 is 20× τ, no 1e3 gap
  const auto nn = locus::float_gap<double>(mu, 1.5);
  CHECK_FALSE(nn.decided);
  Vec<double> ok(4);
  ok << -1.0, 1e-18, 0.5, 1.0;
  const auto yes = locus::float_gap<double>(ok, 1.5);
  CHECK(yes.decided);
  CHECK(yes.inertia == Inertia{2, 1, 1});
}

namespace {

// Exact G2-style critical point: polynomial activation (degree-5 Taylor of exp), a random rational
// θ*, targets y = f(θ*) − r with r ∈ ker Jᵀ, so ∇L(θ*) = Jᵀr = 0 exactly.
struct Design {
  locus::Network net;
  locus::Dataset data;
  Vec<Rational> theta;
};

locus::Activation exp5() {
  return locus::Activation::polynomial({Rational(1),
                                        Rational(1),
                                        Rational(1, 2),
                                        Rational(1, 6),
                                        Rational(1, 24),
                                        Rational(1, 120)});
}

Design design(std::vector<int> widths, int extra, std::uint64_t seed) {
  std::mt19937_64 g(seed);
  Design d;
  d.net.widths = std::move(widths);
  d.net.activation = exp5();
  d.net.bias = true;
  const auto P = static_cast<Eigen::Index>(d.net.num_parameters());
  const Eigen::Index n = (P + extra + d.net.widths.back() - 1) / d.net.widths.back();
  d.data.inputs.resize(n, d.net.widths.front());
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < d.data.inputs.cols(); ++j)
      d.data.inputs(i, j) = small_rational(g) / 2;
  }
  d.data.targets = Mat<Rational>::Zero(n, d.net.widths.back());
  d.theta.resize(P);
  for (Eigen::Index i = 0; i < P; ++i) d.theta(i) = small_rational(g) / 3;
  const locus::LossFunction<Rational> fn(d.net, d.data);
  const Mat<Rational> jac = fn.output_jacobian(d.theta);  // (n·n_L) x P
  const Mat<Rational> ker = locus::exact_null_space(Mat<Rational>(jac.transpose()));
  REQUIRE(ker.cols() > 0);
  Vec<Rational> r = Vec<Rational>::Zero(ker.rows());
  for (Eigen::Index c = 0; c < ker.cols(); ++c)
    r += ker.col(c) * Rational(1 + static_cast<int>(c % 3), 4);
  const Mat<Rational> f = fn.outputs(d.theta);
  const Eigen::Index nl = d.net.widths.back();
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index c = 0; c < nl; ++c) d.data.targets(i, c) = f(i, c) - r(i * nl + c);
  }
  const locus::LossFunction<Rational> fy(d.net, d.data);
  REQUIRE(fy.gradient(d.theta).isZero());
  return d;
}

// R2 for a network with one hidden layer: replicate unit r with ratio lambda, new unit last.
Design split(const Design& s, int r, const Rational& lambda) {
  Design b = s;
  const int n0 = s.net.widths[0], n1 = s.net.widths[1], n2 = s.net.widths[2];
  b.net.widths[1] = n1 + 1;
  const auto& t = s.theta;
  Vec<Rational> th(b.net.num_parameters());
  Eigen::Index k = 0;
  for (int u = 0; u <= n1; ++u) {
    const int src = u < n1 ? u : r;
    for (int j = 0; j < n0; ++j) th(k++) = t(src * n0 + j);
  }
  for (int u = 0; u <= n1; ++u) th(k++) = t(n1 * n0 + (u < n1 ? u : r));
  const Eigen::Index w2 = n1 * n0 + n1;
  for (int o = 0; o < n2; ++o) {
    for (int u = 0; u <= n1; ++u) {
      const Rational v = t(w2 + o * n1 + (u < n1 ? u : r));
      th(k++) = u == r ? lambda * v : (u == n1 ? (1 - lambda) * v : v);
    }
  }
  for (int o = 0; o < n2; ++o) th(k++) = t(w2 + n2 * n1 + o);
  b.theta = th;
  return b;
}

}  // namespace

TEST_CASE("Theorem S: certified split inertia = In(small) + In(K_lambda), exactly and with balls") {
  for (const auto& widths : {std::vector<int>{1, 1, 1}, std::vector<int>{2, 3, 2}}) {
    const Design s = design(widths, 4, 99 + widths.size() + static_cast<unsigned>(widths[1]));
    const locus::LossFunction<Rational> fs(s.net, s.data);
    const Mat<Rational> hs = fs.hessian(s.theta);
    const Inertia small = locus::exact_inertia(hs).inertia;
    // F_r and B_r at θ* for unit r = 0 (one hidden layer: δ^{(2)} = e = f − y, ã = (x, 1)).
    const int n0 = widths[0], n1 = widths[1], n2 = widths[2];
    const int r = 0;
    const Mat<Rational> e = fs.residuals(s.theta);
    Mat<Rational> F = Mat<Rational>::Zero(n0 + 1, n0 + 1);
    Mat<Rational> B = Mat<Rational>::Zero(n2, n0 + 1);
    const auto coeff = exp5().coefficients;
    for (Eigen::Index i = 0; i < s.data.size(); ++i) {
      Vec<Rational> a(n0 + 1);
      for (int j = 0; j < n0; ++j) a(j) = s.data.inputs(i, j);
      a(n0) = 1;
      Rational z = s.theta(n1 * n0 + r);
      for (int j = 0; j < n0; ++j) z += s.theta(r * n0 + j) * a(j);
      Rational d1(0), d2(0), zp(1);
      for (std::size_t c = 1; c < coeff.size(); ++c) {
        d1 += Rational(static_cast<long>(c)) * coeff[c] * zp;
        if (c >= 2) {
          Rational zq(1);
          for (std::size_t t = 0; t + 2 < c; ++t) zq *= z;
          d2 += Rational(static_cast<long>(c * (c - 1))) * coeff[c] * zq;
        }
        zp *= z;
      }
      Rational vd(0);
      for (int o = 0; o < n2; ++o) vd += s.theta(n1 * n0 + n1 + o * n1 + r) * e(i, o);
      F += (vd * d2) * (a * a.transpose());
      for (int o = 0; o < n2; ++o) B.row(o) += (e(i, o) * d1) * a.transpose();
    }
    for (const Rational& lambda :
         {Rational(1, 4), Rational(1, 2), Rational(3, 2), Rational(-1, 2)}) {
      const Design b = split(s, r, lambda);
      const locus::LossFunction<Rational> fb(b.net, b.data);
      REQUIRE(fb.gradient(b.theta).isZero());  // FA-1: split points are critical
      const Mat<Rational> hb = fb.hessian(b.theta);
      Mat<Rational> K = Mat<Rational>::Zero(n0 + 1 + n2, n0 + 1 + n2);
      K.topLeftCorner(n0 + 1, n0 + 1) = lambda * (1 - lambda) * F;
      K.bottomLeftCorner(n2, n0 + 1) = B;
      K.topRightCorner(n0 + 1, n2) = B.transpose();
      const Inertia k = locus::exact_inertia(K).inertia;
      const Inertia predicted{
          small.positive + k.positive, small.negative + k.negative, small.zero + k.zero};
      const Inertia exact = locus::exact_inertia(hb).inertia;
      CHECK(exact == predicted);
      const locus::ScopedBallPrecision precision(256);
      const auto c = locus::certify_cluster(to_balls(hb));
      CHECK(c.decided);
      CHECK(c.inertia == predicted);
      // The ball Hessian (evaluated in balls, not converted) gives the same certificate.
      const locus::LossFunction<Ball> fball(b.net, b.data);
      Vec<Ball> tb(b.theta.size());
      for (Eigen::Index i = 0; i < tb.size(); ++i) tb(i) = Ball(b.theta(i));
      const auto cb = locus::certify_cluster(fball.hessian(tb));
      CHECK(cb.decided);
      CHECK(cb.inertia == predicted);
    }
  }
}

TEST_CASE("Lanczos: Ritz values are within their residuals of true eigenvalues; SLQ moments") {
  const Eigen::Index n = 300;
  Eigen::VectorXd diag(n);
  for (Eigen::Index i = 0; i < n; ++i) diag(i) = -1.0 + 2.0 * static_cast<double>(i) / n;
  diag(7) = 40.0;
  diag(8) = 25.0;
  diag(9) = -30.0;
  const Eigen::MatrixXd m = rotated(diag, 5);
  const locus::SymmetricOperator op = [&](const Eigen::VectorXd& v, Eigen::VectorXd& y) {
    y = m * v;
  };
  const auto rv = locus::lanczos(op, n, 60, 3);
  CHECK(rv.steps == 60);
  CHECK(rv.values.back() == doctest::Approx(40.0).epsilon(1e-10));
  CHECK(rv.values.front() == doctest::Approx(-30.0).epsilon(1e-10));
  for (std::size_t j = 0; j < rv.values.size(); ++j) {
    double nearest = 1e300;
    for (Eigen::Index i = 0; i < n; ++i)
      nearest = std::min(nearest, std::abs(diag(i) - rv.values[j]));
    CHECK(nearest <= rv.residuals[j] * (1 + 1e-6) + 1e-12);
  }
  // SLQ on a diagonal matrix: each probe's first moment is vᵀMv/vᵀv = tr(M)/n exactly.
  const Eigen::MatrixXd dm = diag.asDiagonal();
  const locus::SymmetricOperator dop = [&](const Eigen::VectorXd& v, Eigen::VectorXd& y) {
    y = dm * v;
  };
  const auto sd = locus::spectral_density(dop, n, 30, 4, 9);
  double total = 0, mean = 0;
  for (std::size_t j = 0; j < sd.nodes.size(); ++j) {
    total += sd.weights[j];
    mean += sd.weights[j] * sd.nodes[j];
    CHECK(sd.nodes[j] >= -30.0 - 1e-9);
    CHECK(sd.nodes[j] <= 40.0 + 1e-9);
  }
  CHECK(total == doctest::Approx(1.0).epsilon(1e-12));
  CHECK(mean == doctest::Approx(diag.mean()).epsilon(1e-10));
  CHECK_THROWS_AS(locus::lanczos(op, 0, 5, 1), locus::InvalidArgument);
  CHECK_THROWS_AS(locus::lanczos(op, n, 0, 1), locus::InvalidArgument);
}

TEST_CASE("restarted Lanczos (Spectra) finds the extreme eigenvalues of a clustered spectrum") {
  // 400 eigenvalues: a dense cluster in [-1, 1] and the extremes 50, 49.9, 49.8 and -20, -19.99,
  // close pairs that a few fixed Lanczos steps do not separate.
  const Eigen::Index n = 400;
  const Eigen::MatrixXd m = bulk_with_extremes(n, 11, {50.0, 49.9, 49.8, -20.0, -19.99}, 17);
  long calls = 0;
  const locus::SymmetricOperator op = counted_product(m, calls);
  const auto top =
      locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-12, 1000, 4);
  REQUIRE(top.converged);
  REQUIRE(top.values.size() == 3);
  CHECK(top.values[0] == doctest::Approx(50.0).epsilon(1e-10));
  CHECK(top.values[1] == doctest::Approx(49.9).epsilon(1e-10));
  CHECK(top.values[2] == doctest::Approx(49.8).epsilon(1e-10));
  CHECK(top.products + top.checks == calls);  // every product counted
  CHECK(top.checks == 3);
  for (std::size_t j = 0; j < top.values.size(); ++j) CHECK(top.residuals[j] <= 1e-9);
  const auto bottom =
      locus::extreme_eigenvalues(op, n, 2, locus::SpectrumEnd::Smallest, 1e-12, 1000, 4);
  REQUIRE(bottom.converged);
  CHECK(bottom.values[0] == doctest::Approx(-20.0).epsilon(1e-10));
  CHECK(bottom.values[1] == doctest::Approx(-19.99).epsilon(1e-10));
  // the same seed gives the same answer
  const auto again =
      locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-12, 1000, 4);
  CHECK(again.values == top.values);
  CHECK(again.products == top.products);
  // a restart budget too small to converge says so
  const auto short_run =
      locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-14, 1, 4, 7);
  CHECK_FALSE(short_run.converged);
  CHECK_THROWS_AS(locus::extreme_eigenvalues(op, n, 0, locus::SpectrumEnd::Largest, 1e-8, 10, 1),
                  locus::InvalidArgument);
  CHECK_THROWS_AS(locus::extreme_eigenvalues(op, n, n, locus::SpectrumEnd::Largest, 1e-8, 10, 1),
                  locus::InvalidArgument);
  CHECK_THROWS_AS(locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 0, 10, 1),
                  locus::InvalidArgument);
  CHECK_THROWS_AS(locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-8, 10, 1, 3),
                  locus::InvalidArgument);
}

TEST_CASE("Lanczos from Hessian-vector products reproduces the dense spectrum of G1") {
  locus::Network net;
  net.widths = {1, 1, 1};
  net.activation = locus::Activation::sigmoid();
  locus::Dataset data;
  data.inputs.resize(9, 1);
  data.targets.resize(9, 1);
  const double y[9] = {0.2240443082,
                       -0.4303423886,
                       0.5513399018,
                       0.0627002570,
                       0.5000000101,
                       0.9372996839,
                       0.4486602741,
                       1.4303421299,
                       0.7759558237};
  for (int i = 0; i < 9; ++i) {
    data.inputs(i, 0) = Rational(i - 4);
    data.targets(i, 0) = Rational(y[i]);
  }
  const locus::LossFunction<double> fn(net, data);
  Vec<double> theta(4);
  theta << 1, 0, 1, 0;
  const locus::SymmetricOperator op = [&](const Eigen::VectorXd& v, Eigen::VectorXd& out) {
    out = fn.hessian_vector_product(theta, v);
  };
  const auto rv = locus::lanczos(op, 4, 4, 0);
  const auto es = locus::symmetric_eigen<double>(fn.hessian(theta), false);
  REQUIRE(rv.values.size() == 4);
  for (int i = 0; i < 4; ++i)
    CHECK(rv.values[static_cast<std::size_t>(i)] == doctest::Approx(es.values(i)).epsilon(1e-10));
  CHECK(rv.values.front() == doctest::Approx(0.0510211).epsilon(1e-6));
}

TEST_CASE(
    "G5: [2,3,2] tanh, R1 design to 1e-290, split with B != 0: certified inertia = In(small) + "
    "In(K)") {
  using M = locus::Mpfr1024;
  std::mt19937_64 g(2026);
  locus::Network net;
  net.widths = {2, 3, 2};
  net.activation = locus::Activation::tanh();
  const auto P = static_cast<Eigen::Index>(net.num_parameters());
  const Eigen::Index n = (P + 4 + 1) / 2;
  locus::Dataset data;
  data.inputs.resize(n, 2);
  data.targets = Mat<Rational>::Zero(n, 2);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int j = 0; j < 2; ++j) data.inputs(i, j) = small_rational(g) / 2;
  }
  Vec<Rational> theta(P);
  for (Eigen::Index i = 0; i < P; ++i) theta(i) = small_rational(g) / 3;
  // r ∈ ker Jᵀ in MPFR-1024 (w minus its projection on range J), targets y = f(θ*) − 0.7 r rounded
  // to exact rationals: ∇L(θ*) ≈ 1e-290.
  const locus::LossFunction<M> fm(net, data);
  Vec<M> tm(P);
  for (Eigen::Index i = 0; i < P; ++i) tm(i) = locus::ScalarTraits<M>::from_rational(theta(i));
  const Mat<M> jac = fm.output_jacobian(tm);
  Vec<M> w(jac.rows());
  for (Eigen::Index i = 0; i < w.size(); ++i)
    w(i) = locus::ScalarTraits<M>::from_rational(small_rational(g));
  const Vec<M> coef =
      locus::ldlt_solve<M>(Mat<M>(jac.transpose() * jac), Vec<M>(jac.transpose() * w));
  const Vec<M> r = (w - jac * coef) * M(7) / M(10);
  const Mat<M> f = fm.outputs(tm);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (int c = 0; c < 2; ++c)
      data.targets(i, c) = locus::ScalarTraits<M>::to_rational(f(i, c) - r(i * 2 + c));
  }
  const locus::ScopedBallPrecision precision(512);
  auto hessian_in_balls =
      [](const locus::Network& nw, const locus::Dataset& d, const Vec<Rational>& t) {
        const locus::LossFunction<Ball> fb(nw, d);
        Vec<Ball> tb(t.size());
        for (Eigen::Index i = 0; i < t.size(); ++i) tb(i) = Ball(t(i));
        return fb.hessian(tb);
      };
  const auto small = locus::certify_cluster(hessian_in_balls(net, data, theta));
  REQUIRE(small.decided);
  // F_r, B_r for unit r = 0 in balls (tanh: σ' = 1 − t², σ'' = −2t(1 − t²)); e = f − y.
  const int r0 = 0;
  Mat<Ball> F = Mat<Ball>::Zero(3, 3), B = Mat<Ball>::Zero(2, 3);
  for (Eigen::Index i = 0; i < n; ++i) {
    Vec<Ball> a(3);
    a << Ball(data.inputs(i, 0)), Ball(data.inputs(i, 1)), Ball(1);
    const Ball z =
        Ball(theta(r0 * 2)) * a(0) + Ball(theta(r0 * 2 + 1)) * a(1) + Ball(theta(6 + r0));
    const Ball t = tanh(z);
    const Ball d1 = Ball(1) - t * t;
    const Ball d2 = Ball(-2) * t * d1;
    Vec<Ball> e(2);
    Vec<Ball> h1(3);
    for (int u = 0; u < 3; ++u) {
      const Ball zu =
          Ball(theta(u * 2)) * a(0) + Ball(theta(u * 2 + 1)) * a(1) + Ball(theta(6 + u));
      h1(u) = tanh(zu);
    }
    for (int c = 0; c < 2; ++c) {
      Ball out = Ball(theta(9 + 6 + c));
      for (int u = 0; u < 3; ++u) out += Ball(theta(9 + c * 3 + u)) * h1(u);
      e(c) = out - Ball(data.targets(i, c));
    }
    const Ball vd = Ball(theta(9 + 0 * 3 + r0)) * e(0) + Ball(theta(9 + 1 * 3 + r0)) * e(1);
    for (int p = 0; p < 3; ++p) {
      for (int q = 0; q < 3; ++q) F(p, q) += vd * d2 * a(p) * a(q);
      for (int c = 0; c < 2; ++c) B(c, p) += e(c) * d1 * a(p);
    }
  }
  Design s;
  s.net = net;
  s.data = data;
  s.theta = theta;
  for (const Rational& lambda : {Rational(1, 3), Rational(3, 2)}) {
    Mat<Ball> K = Mat<Ball>::Zero(5, 5);
    const Ball ll = Ball(lambda * (1 - lambda));
    K.topLeftCorner(3, 3) = F * ll;
    K.bottomLeftCorner(2, 3) = B;
    K.topRightCorner(3, 2) = B.transpose();
    const auto k = locus::certify_cluster(K);
    REQUIRE(k.decided);
    CHECK(k.inertia.negative >= 2);  // S1: n₋(K) ≥ rank B_r = 2
    CHECK(k.inertia.zero == 1);  // the split line's tangent (0, v): vᵀB_r = ∂L/∂W̃[r,:] = 0
    const Design b = split(s, r0, lambda);
    const auto big = locus::certify_cluster(hessian_in_balls(b.net, b.data, b.theta));
    CHECK(big.decided);
    const Inertia predicted{small.inertia.positive + k.inertia.positive,
                            small.inertia.negative + k.inertia.negative,
                            small.inertia.zero + k.inertia.zero};
    CHECK(big.inertia == predicted);
  }
}

TEST_CASE("extreme eigenvalues: the unrestarted first phase, its count, and a double eigenvalue") {
  // 300 eigenvalues in [-1, 1] and at the top 10, 10 (a double eigenvalue), 9.5; at the bottom
  // -4, -3.9. A double eigenvalue is one Ritz value of a single-vector Krylov space in exact
  // arithmetic; in floating point the second copy enters through rounding, and the answer must
  // list it twice.
  const Eigen::Index n = 300;
  const Eigen::MatrixXd m = bulk_with_extremes(n, 20, {10.0, 10.0, 9.5, -4.0, -3.9}, 23);
  long calls = 0;
  const locus::SymmetricOperator op = counted_product(m, calls);
  const auto top =
      locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-10, 1000, 11);
  CHECK(top.products + top.checks == calls);
  CHECK(top.unrestarted > 0);
  CHECK(top.unrestarted <= top.products);
  // (the rotation's rounding splits the pair by ~1e-15, and the first phase picks up both)
  REQUIRE(top.converged);
  REQUIRE(top.values.size() == 3);
  CHECK(top.values[0] == doctest::Approx(10.0).epsilon(1e-9));
  CHECK(top.values[1] == doctest::Approx(10.0).epsilon(1e-9));
  CHECK(top.values[2] == doctest::Approx(9.5).epsilon(1e-9));
  calls = 0;
  const auto bottom =
      locus::extreme_eigenvalues(op, n, 2, locus::SpectrumEnd::Smallest, 1e-10, 1000, 11);
  REQUIRE(bottom.converged);
  CHECK(bottom.products + bottom.checks == calls);
  CHECK(bottom.values[0] == doctest::Approx(-4.0).epsilon(1e-9));
  CHECK(bottom.values[1] == doctest::Approx(-3.9).epsilon(1e-9));
  for (const double r : bottom.residuals) CHECK(r <= 1e-8);
  // A first phase cut at 13 vectors cannot separate 10, 10 and 9.5 to 1e-10: Spectra takes over
  // from its Ritz vectors and finishes.
  calls = 0;
  const auto handed_over =
      locus::extreme_eigenvalues(op, n, 3, locus::SpectrumEnd::Largest, 1e-10, 1000, 11, 0, 13);
  CHECK(handed_over.unrestarted == 13);
  CHECK(handed_over.products > 13);
  CHECK(handed_over.products + handed_over.checks == calls);
  REQUIRE(handed_over.converged);
  CHECK(handed_over.values[0] == doctest::Approx(10.0).epsilon(1e-9));
  CHECK(handed_over.values[1] == doctest::Approx(10.0).epsilon(1e-9));
  CHECK(handed_over.values[2] == doctest::Approx(9.5).epsilon(1e-9));
  for (const double r : handed_over.residuals) CHECK(r <= 1e-8);
  // An explicit subspace runs Spectra alone, as before the first phase existed.
  const auto spectra_only =
      locus::extreme_eigenvalues(op, n, 2, locus::SpectrumEnd::Smallest, 1e-10, 1000, 11, 20);
  CHECK(spectra_only.unrestarted == 0);
  REQUIRE(spectra_only.converged);
  CHECK(spectra_only.values[0] == doctest::Approx(-4.0).epsilon(1e-9));
}

namespace {

// A ball matrix as double midpoints and radii (each ball inside midpoint ± radius).
locus::DoubleEnclosure as_doubles(const Mat<Ball>& b) {
  locus::DoubleEnclosure e{Eigen::MatrixXd(b.rows(), b.cols()),
                           Eigen::MatrixXd(b.rows(), b.cols())};
  for (Eigen::Index j = 0; j < b.cols(); ++j) {
    for (Eigen::Index i = 0; i < b.rows(); ++i) {
      REQUIRE(locus::enclose_in_double(b(i, j), &e.mid(i, j), &e.rad(i, j)));
    }
  }
  return e;
}

Mat<Rational> exact_of(const Eigen::MatrixXd& m) {
  Mat<Rational> out(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out(i, j) = Rational(m(i, j));
  }
  return out;
}

}  // namespace

TEST_CASE("certify_cluster on double midpoints and radii: the certificate of the balls") {
  std::mt19937_64 g(31);
  Vec<Rational> d(9);
  d << Rational(3), Rational(-2), Rational(5), Rational(1, 1000), Rational(-1, 7), Rational(0),
      Rational(0), Rational(4), Rational(-6);
  const Mat<Rational> m = congruent(g, d);
  const locus::ScopedBallPrecision precision(53);
  const Mat<Ball> b = to_balls(m);
  const auto from_balls = locus::certify_cluster(b);
  const auto from_doubles = locus::certify_cluster(as_doubles(b));
  CHECK(from_doubles.proved == from_balls.proved);
  CHECK(from_doubles.decided == from_balls.decided);
  CHECK(from_doubles.inertia == from_balls.inertia);
  CHECK(from_doubles.tried_bits == std::vector<long>{53});
  REQUIRE(from_doubles.eigenvalues.size() == 9);
  for (std::size_t i = 0; i < 9; ++i) {
    CHECK(locus::overlaps(from_doubles.eigenvalues[i], from_balls.eigenvalues[i]));
  }
  REQUIRE(from_doubles.decided);
  check_statement(m, from_doubles);
  // the same with the basis of the proof (certificates)
  const auto with_basis = locus::certify_cluster(as_doubles(b), true);
  CHECK(with_basis.inertia == from_doubles.inertia);
  CHECK(with_basis.basis.rows() == 9);
}

TEST_CASE("certify_cluster on doubles: the radii are honoured, and a wide range scales exactly") {
  const locus::ScopedBallPrecision precision(53);
  {
    // 1e-6 ± 1e-3 may be 0 or negative: it must not be counted positive.
    locus::DoubleEnclosure e{Eigen::MatrixXd::Zero(2, 2), Eigen::MatrixXd::Zero(2, 2)};
    e.mid(0, 0) = 1;
    e.mid(1, 1) = 1e-6;
    e.rad(1, 1) = 1e-3;
    const auto c = locus::certify_cluster(e);
    CHECK(c.inertia.positive == 1);
    CHECK(c.inertia.zero == 1);
    CHECK(c.epsilon >= Rational(1, 1000) - Rational(1, 1000000));
    // with the radius 0 the second eigenvalue is proved positive
    e.rad(1, 1) = 0;
    CHECK(locus::certify_cluster(e).inertia.positive == 2);
  }
  {
    // Entries from 1e300 down to subnormals: the scaling by 2^-997 rounds the small ones into
    // (or below) the subnormal range, which must widen their radii rather than lose them.
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(4, 4);
    m(0, 0) = 1e300;
    m(1, 1) = -3e299;
    m(2, 2) = 3e-310;
    m(3, 3) = -5e-311;
    m(2, 3) = m(3, 2) = 1e-320;
    m(0, 1) = m(1, 0) = 7e298;
    const auto c = locus::certify_cluster(locus::DoubleEnclosure{m, Eigen::MatrixXd::Zero(4, 4)});
    CHECK(c.proved);
    CHECK(c.inertia.positive + c.inertia.negative + c.inertia.zero == 4);
    CHECK(c.inertia.positive >= 1);
    CHECK(c.inertia.negative >= 1);
    check_statement(exact_of(m), c);
  }
}

TEST_CASE("certify_cluster on doubles: bad input is named") {
  const locus::ScopedBallPrecision precision(53);
  const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(3, 3);
  const Eigen::MatrixXd zero = Eigen::MatrixXd::Zero(3, 3);
  CHECK_THROWS_WITH_AS(
      locus::certify_cluster(locus::DoubleEnclosure{id, Eigen::MatrixXd::Zero(2, 2)}),
      doctest::Contains("square matrices of one size"),
      locus::InvalidArgument);
  locus::DoubleEnclosure e{id, zero};
  e.mid(2, 1) = std::nan("");
  CHECK_THROWS_WITH_AS(
      locus::certify_cluster(e), doctest::Contains("entry (2, 1) is nan"), locus::InvalidArgument);
  e = {id, zero};
  e.rad(0, 2) = -1e-3;
  CHECK_THROWS_WITH_AS(
      locus::certify_cluster(e), doctest::Contains("radius >= 0"), locus::InvalidArgument);
  e = {id, zero};
  e.mid(0, 1) = 1;
  CHECK_THROWS_WITH_AS(locus::certify_cluster(e),
                       doctest::Contains("not symmetric: entry (1, 0) = 0"),
                       locus::InvalidArgument);
  // Midpoints 0, radii 1 below the diagonal and 0 above: the symmetric matrices in the lower
  // triangle's balls include the one with every off-diagonal entry 1, whose eigenvalue 2 must lie
  // in the enclosures (the radii of the upper triangle, read instead, would give only √3).
  {
    locus::DoubleEnclosure z{zero, zero};
    z.rad(1, 0) = z.rad(2, 0) = z.rad(2, 1) = 1;
    z.rad(0, 1) = z.rad(0, 2) = z.rad(1, 2) = 0;
    const auto c = locus::certify_cluster(z);
    REQUIRE(c.eigenvalues.size() == 3);
    for (const Ball& value : c.eigenvalues) CHECK(value.upper() >= Rational(2));
  }
  // triangles that differ but overlap are accepted (the lower one is read)
  e = {id, zero};
  e.mid(0, 1) = 1e-12;
  e.rad(1, 0) = 2e-12;
  CHECK(locus::certify_cluster(e).inertia.positive == 3);
}

TEST_CASE(
    "certify_cluster: a poor double eigendecomposition widens the enclosures, never breaks them") {
  // No step after the double eigensolver trusts its accuracy: the residual md·Q − QD, the Gram
  // matrix QᵀQ and their rounding bounds carry it. With eigenvectors and eigenvalues perturbed far
  // beyond double's resolution, every enclosure must still hold its (MPFR-1024) eigenvalue; an
  // enclosure that leaves out ‖R‖ or ‖(QᵀQ − I)D‖ is too narrow by about the perturbation.
  std::mt19937_64 g(47);
  const Eigen::Index n = 12;
  Vec<Rational> d(n);
  for (Eigen::Index i = 0; i < n; ++i) d(i) = Rational(static_cast<int>(i) - 5, 2);
  d(5) = Rational(1, 1000);  // small, next to the split threshold at the larger perturbation
  const Mat<Rational> m = congruent(g, d);
  const auto truth = locus::symmetric_eigen(locus::convert_matrix<locus::Mpfr1024>(m), false);
  for (const long bits : {53L, 128L}) {
    const locus::ScopedBallPrecision precision(static_cast<int>(bits));
    const Mat<Ball> b = to_balls(m);
    // (eigenvectors, eigenvalues): both, and the eigenvalues alone (then QᵀQ stays I to double's
    // accuracy, and only the residual ‖md·Q − QD‖ can carry the error)
    const std::vector<std::pair<double, double>> sizes{{1e-9, 1e-9}, {1e-5, 1e-5}, {0, 1e-6}};
    for (const auto& [vectors, values] : sizes) {
      for (const bool from_doubles : {false, true}) {
        if (from_doubles && bits > 53) continue;
        CAPTURE(bits);
        CAPTURE(vectors);
        CAPTURE(values);
        CAPTURE(from_doubles);
        const auto certify = [&] {
          return from_doubles ? locus::certify_cluster(as_doubles(b)) : locus::certify_cluster(b);
        };
        Rational widest_exact(0);  // from LAPACK's own eigendecomposition
        for (const Ball& e : certify().eigenvalues) {
          widest_exact = std::max(widest_exact, e.upper() - e.lower());
        }
        const locus::testing::ScopedEigenPerturbation poor(vectors, values);
        const auto c = certify();
        REQUIRE(c.proved);
        CHECK(c.inertia == inertia_of_diagonal(d));
        REQUIRE(c.eigenvalues.size() == static_cast<std::size_t>(n));
        Rational widest(0);
        for (Eigen::Index i = 0; i < n; ++i) {
          const Ball& e = c.eigenvalues[static_cast<std::size_t>(i)];
          const Rational lo = e.lower(), hi = e.upper();
          CAPTURE(i);
          CHECK(lo.convert_to<locus::Mpfr1024>() <= truth.values(i));
          CHECK(truth.values(i) <= hi.convert_to<locus::Mpfr1024>());
          widest = std::max(widest, hi - lo);
        }
        // the perturbation is visible (the test is not vacuous): enclosures far wider
        CHECK(widest > 100 * widest_exact);
        check_statement(m, c);
      }
    }
  }
}
