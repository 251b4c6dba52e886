// Continuous symmetries of the loss and the symmetry-slice existence proof
// (locus/solve/symmetry.hpp, docs/math/symmetry-slices.md).
#include "locus/solve/symmetry.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/existence.hpp"

using locus::Dataset;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::Vec;

namespace {

Network net(std::vector<int> widths, locus::Activation a, bool bias) {
  Network n;
  n.widths = std::move(widths);
  n.activation = std::move(a);
  n.bias = bias;
  n.validate();
  return n;
}

// Deterministic rationals in [-2, 2] \ {0} with small denominators.
Rational value(int i) {
  const int num = ((i * 37 + 11) % 9) - 4;
  return Rational(num == 0 ? 3 : num, 1 + (i % 3));
}

Vec<Rational> point(const Network& n, int salt) {
  Vec<Rational> t(n.num_parameters());
  for (Eigen::Index i = 0; i < t.size(); ++i) t(i) = value(static_cast<int>(i) + salt);
  return t;
}

Dataset data(int n0, int nl, int N) {
  Dataset d;
  d.inputs.resize(N, n0);
  d.targets.resize(N, nl);
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < n0; ++j) d.inputs(i, j) = value(5 * i + j + 1);
    for (int j = 0; j < nl; ++j) d.targets(i, j) = value(7 * i + j + 2);
  }
  return d;
}

}  // namespace

TEST_CASE("the symmetry fields are orthogonal to the exact gradient (linear: all of gl(n))") {
  const Network n = net({2, 3, 2}, locus::Activation::identity(), true);
  const Dataset d = data(2, 2, 4);
  for (int salt = 0; salt < 5; ++salt) {
    const Vec<Rational> t = point(n, salt);
    const Mat<Rational> v = locus::symmetry_fields<Rational>(n, t);
    CHECK(v.cols() == 9);
    const Vec<Rational> g = locus::LossFunction<Rational>(n, d).gradient(t);
    CHECK(g.squaredNorm() != 0);  // a point that is not critical: the test is not vacuous
    CHECK(Vec<Rational>(v.transpose() * g).isZero());
  }
}

TEST_CASE("ReLU: one scaling field per hidden unit, orthogonal to the gradient off the kinks") {
  const Network n = net({2, 3, 2, 1}, locus::Activation::relu(), true);
  const Dataset d = data(2, 1, 3);
  int checked = 0;
  for (int salt = 0; salt < 12; ++salt) {
    const Vec<Rational> t = point(n, salt);
    const Mat<Rational> v = locus::symmetry_fields<Rational>(n, t);
    CHECK(v.cols() == 5);
    try {
      const Vec<Rational> g = locus::LossFunction<Rational>(n, d).gradient(t);
      CHECK(Vec<Rational>(v.transpose() * g).isZero());
      ++checked;
    } catch (const locus::NotDifferentiable&) {
      // a pre-activation exactly at 0: no gradient to test
    }
  }
  CHECK(checked > 0);
}

TEST_CASE("no continuous symmetry is claimed for sigmoid, tanh or polynomial activations") {
  for (const auto& a : {locus::Activation::sigmoid(),
                        locus::Activation::tanh(),
                        locus::Activation::polynomial({Rational(0), Rational(1), Rational(1)})}) {
    const Network n = net({1, 2, 1}, a, true);
    CHECK(locus::symmetry_fields<Rational>(n, point(n, 0)).cols() == 0);
    const locus::SliceProof s = locus::prove_critical_orbit(n, data(1, 1, 2), point(n, 0), 128);
    CHECK_FALSE(s.attempted);
    CHECK_FALSE(s.proved);
  }
}

TEST_CASE("a deep linear minimum moved by 1e-30 is proved next to a critical manifold") {
  // [1,2,1], no bias, x = (1, 2), targets c·x with c = 1, then y_0 += 1e-30; θ̃ has W2·W1 = 1.
  const Network n = net({1, 2, 1}, locus::Activation::identity(), false);
  Dataset d;
  d.inputs.resize(2, 1);
  d.targets.resize(2, 1);
  d.inputs << Rational(1), Rational(2);
  Rational eps(1);
  for (int i = 0; i < 30; ++i) eps /= 10;
  d.targets << Rational(1) + eps, Rational(2);
  Vec<Rational> t(4);
  t << Rational(1), Rational(2), Rational(1, 5), Rational(2, 5);
  CHECK(locus::LossFunction<Rational>(n, d).gradient(t).squaredNorm() != 0);
  const locus::SliceProof s = locus::prove_critical_orbit(n, d, t, 256);
  REQUIRE(s.proved);
  CHECK(s.dimension == 3);  // W2·W1 = c*: a 3-dimensional manifold of minima, the GL(2) orbit
  CHECK(s.radius > 0);
  CHECK(s.radius < eps);

  // classify says so: a degenerate minimum proved nearby, with its radius.
  locus::Problem p;
  p.network = n;
  p.data = d;
  p.point = t;
  const locus::Classification c = locus::classify_point(p, locus::parse_arithmetic("ball:256"));
  CHECK(c.kind == locus::PointKind::DegenerateMinimum);
  CHECK(c.certified);
  CHECK(c.stationarity == locus::Stationarity::ProvedNearby);
  REQUIRE(c.critical_point_radius.has_value());
  CHECK(*c.critical_point_radius == s.radius);
  CHECK(c.inertia == locus::Inertia{1, 0, 3});
}

TEST_CASE("far from any critical point the slice test proves nothing") {
  const Network n = net({1, 2, 1}, locus::Activation::identity(), false);
  Dataset d;
  d.inputs.resize(2, 1);
  d.targets.resize(2, 1);
  d.inputs << Rational(1), Rational(2);
  d.targets << Rational(1), Rational(2);
  Vec<Rational> t(4);
  t << Rational(1), Rational(2), Rational(1), Rational(1);  // W2·W1 = 3, not 1
  const locus::SliceProof s = locus::prove_critical_orbit(n, d, t, 256);
  CHECK_FALSE(s.proved);
  CHECK_FALSE(s.reason.empty());
}

TEST_CASE(
    "Krawczyk: a Hessian eigenvalue below double's resolution is decided at the working "
    "precision (known defect 8)") {
  // [2,1] linear regression through two nearly collinear inputs (1, 1) and (1, 1 + 1e-8): the
  // Hessian XᵀX has an eigenvalue ≈ 5e-17·‖X‖², singular to double. θ̃ is the exact interpolating
  // solution moved by 1e-40, so a proof is needed; the Hessian is constant and positive definite.
  const Network n = net({2, 1}, locus::Activation::identity(), false);
  Rational delta(1);
  for (int i = 0; i < 8; ++i) delta /= 10;
  Dataset d;
  d.inputs.resize(2, 2);
  d.targets.resize(2, 1);
  d.inputs << Rational(1), Rational(1), Rational(1), Rational(1) + delta;
  d.targets << Rational(1), Rational(2);
  Rational eps(1);
  for (int i = 0; i < 40; ++i) eps /= 10;
  Vec<Rational> t(2);
  t << Rational(1) - 1 / delta + eps, 1 / delta;
  const locus::ExistenceProof ex = locus::prove_critical_point(n, d, t, 256);
  CHECK(ex.attempted);
  CHECK(ex.proved);
  CHECK(ex.method.find("MPFR") != std::string::npos);
  CHECK(ex.radius > eps / 2);  // the true critical point is 1e-40 away
}

TEST_CASE("softmax cross-entropy: the logit translations, and which ones an L2 term leaves") {
  Network n = net({2, 3, 3}, locus::Activation::tanh(), true);
  n.loss = locus::LossKind::CrossEntropy;
  n.validate();
  Dataset d = data(2, 3, 5);
  for (int i = 0; i < 5; ++i) {  // one-hot targets
    for (int k = 0; k < 3; ++k) d.targets(i, k) = Rational(k == i % 3 ? 1 : 0);
  }
  // No L2: one translation per input column of W̃_2 (3 hidden units and the bias).
  for (int salt = 0; salt < 3; ++salt) {
    const Vec<Rational> t = point(n, salt);
    const Mat<locus::Ball> v = locus::symmetry_fields<locus::Ball>(n, t.cast<locus::Ball>());
    CHECK(v.cols() == 4);
  }
  CHECK(locus::has_continuous_symmetry(n));
  // The fields are constant and L is invariant: ∇L ⊥ V in balls at a generic point.
  {
    const locus::ScopedBallPrecision pr(256);
    const Vec<Rational> t = point(n, 1);
    const Vec<locus::Ball> tb = t.cast<locus::Ball>();
    const Mat<locus::Ball> v = locus::symmetry_fields<locus::Ball>(n, tb);
    const Vec<locus::Ball> g = locus::LossFunction<locus::Ball>(n, d).gradient(tb);
    for (Eigen::Index j = 0; j < v.cols(); ++j) {
      locus::Ball dot(0);
      for (Eigen::Index i = 0; i < g.size(); ++i) dot += v(i, j) * g(i);
      CHECK(std::abs(dot.mid_double()) + dot.rad_double() < 1e-60);
    }
    double largest = 0;
    for (Eigen::Index i = 0; i < g.size(); ++i) {
      largest = std::max(largest, std::abs(g(i).mid_double()));
    }
    CHECK(largest > 1e-3);  // not a critical point: the test is not vacuous
  }
  // scikit-learn's alpha (weights only) leaves the bias translation; weight decay on all, none.
  n.l2 = Rational(1, 100);
  n.l2_scope = locus::L2Scope::Weights;
  CHECK(locus::symmetry_fields<Rational>(n, point(n, 0)).cols() == 1);
  n.l2_scope = locus::L2Scope::All;
  CHECK(locus::symmetry_fields<Rational>(n, point(n, 0)).cols() == 0);
  CHECK_FALSE(locus::has_continuous_symmetry(n));
  // Binary cross-entropy and squared loss have no such translation.
  n.l2 = Rational(0);
  n.loss = locus::LossKind::Squared;
  CHECK(locus::symmetry_fields<Rational>(n, point(n, 0)).cols() == 0);
}
