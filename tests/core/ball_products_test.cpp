// Ball Hessians at 53 bits or fewer run their sums over the samples on double GEMMs with rigorous
// bounds (docs/math/crt-products.md, "Balls of at most 53 bits"). They must still contain the exact
// Hessian, and their radii must stay of the order of the arithmetic's rounding.
#include <doctest/doctest.h>

#include <random>

#include "locus/core/derivatives.hpp"
#include "locus/scalar/all.hpp"

using locus::Activation;
using locus::Ball;
using locus::Dataset;
using locus::LossFunction;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::ScalarTraits;
using locus::Vec;

namespace {

struct Problem {
  Network net;
  Dataset data;
  Vec<Rational> theta;
};

Problem make_problem(Activation act, Eigen::Index n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-60, 60);
  Problem p;
  p.net.widths = {3, 8, 6, 2};
  p.net.activation = act;
  p.net.bias = true;
  p.data = Dataset(Mat<Rational>(n, 3), Mat<Rational>(n, 2));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < 3; ++j) p.data.inputs(i, j) = Rational(d(rng), 37);
    for (Eigen::Index j = 0; j < 2; ++j) p.data.targets(i, j) = Rational(d(rng), 41);
  }
  const auto P = static_cast<Eigen::Index>(p.net.num_parameters());
  p.theta = Vec<Rational>(P);
  for (Eigen::Index k = 0; k < P; ++k) p.theta(k) = Rational(d(rng), 97);
  return p;
}

Mat<Ball> ball_hessian(const Problem& p, int bits) {
  const locus::ScopedBallPrecision precision(bits);
  const LossFunction<Ball> fn(p.net, p.data);
  Vec<Ball> theta(p.theta.size());
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    theta(k) = ScalarTraits<Ball>::from_rational(p.theta(k));
  }
  return fn.hessian(theta);
}

double max_abs_mid(const Mat<Ball>& m) {
  double out = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) {
      out = std::max(out, std::abs(ScalarTraits<Ball>::to_double(m(i, j))));
    }
  }
  return out;
}

double max_radius(const Mat<Ball>& m) {
  double out = 0;
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out = std::max(out, m(i, j).rad_double());
  }
  return out;
}

}  // namespace

TEST_CASE("ball products: a 53-bit ball Hessian contains the exact Hessian over Q") {
  // A polynomial activation: the exact Hessian is rational. N = 400 makes the sums over samples
  // large enough for the double scheme.
  for (const std::uint32_t seed : {11U, 12U}) {
    CAPTURE(seed);
    const Problem p = make_problem(
        Activation::polynomial({Rational(0), Rational(1), Rational(1, 2), Rational(-1, 6)}),
        400,
        seed);
    const LossFunction<Rational> exact_fn(p.net, p.data);
    const Mat<Rational> exact = exact_fn.hessian(p.theta);
    for (const int bits : {53, 40}) {
      CAPTURE(bits);
      const Mat<Ball> h = ball_hessian(p, bits);
      int missed = 0;
      {
        const locus::ScopedBallPrecision wide(4096);
        for (Eigen::Index j = 0; j < h.cols(); ++j) {
          for (Eigen::Index i = 0; i < h.rows(); ++i) {
            if (!locus::contains(h(i, j), ScalarTraits<Ball>::from_rational(exact(i, j)))) ++missed;
          }
        }
      }
      CHECK(missed == 0);
      // radii of the order of the rounding: P·N·2^-bits relative to the largest entry, not more
      const double scale = std::max(1.0, max_abs_mid(h));
      CHECK(max_radius(h) <= 1e4 * std::ldexp(1.0, -bits) * 400 * scale);
    }
  }
}

TEST_CASE("ball products: 53-bit and 256-bit ball Hessians overlap (sigmoid)") {
  const Problem p = make_problem(Activation::sigmoid(), 400, 13);
  const Mat<Ball> h53 = ball_hessian(p, 53);
  const Mat<Ball> h256 = ball_hessian(p, 256);
  int apart = 0;
  for (Eigen::Index j = 0; j < h53.cols(); ++j) {
    for (Eigen::Index i = 0; i < h53.rows(); ++i) {
      if (!locus::overlaps(h53(i, j), h256(i, j))) ++apart;
    }
  }
  CHECK(apart == 0);
  CHECK(max_radius(h53) <= 1e-9 * std::max(1.0, max_abs_mid(h256)));
}

TEST_CASE("hessian_enclosure: double midpoints and radii that hold the ball Hessian") {
  // Every 53-bit ball of hessian() lies in the enclosure, which therefore holds the exact
  // Hessian over Q too (a polynomial activation). With weight decay (added to the diagonal after
  // the products) and with frozen parameters (the enclosure restricted to the free ones).
  for (const bool l2 : {false, true}) {
    for (const bool frozen : {false, true}) {
      CAPTURE(l2);
      CAPTURE(frozen);
      Problem p = make_problem(
          Activation::polynomial({Rational(0), Rational(1), Rational(1, 2), Rational(-1, 6)}),
          400,
          21);
      if (l2) p.net.l2 = Rational(3, 10);
      if (frozen) {
        Vec<Rational> free_theta(p.theta.size() - 3);
        Eigen::Index t = 0;
        for (Eigen::Index k = 0; k < p.theta.size(); ++k) {
          if (k == 2 || k == 17 || k == 40) {
            p.net.frozen.push_back({k, p.theta(k)});
          } else {
            free_theta(t++) = p.theta(k);
          }
        }
        p.theta = free_theta;
      }
      const Mat<Rational> exact = LossFunction<Rational>(p.net, p.data).hessian(p.theta);
      const Mat<Ball> h = ball_hessian(p, 53);
      const locus::ScopedBallPrecision precision(53);
      const LossFunction<Ball> fn(p.net, p.data);
      Vec<Ball> theta(p.theta.size());
      for (Eigen::Index k = 0; k < theta.size(); ++k) {
        theta(k) = ScalarTraits<Ball>::from_rational(p.theta(k));
      }
      const locus::DoubleEnclosure e = fn.hessian_enclosure(theta);
      REQUIRE(e.mid.rows() == h.rows());
      REQUIRE(e.mid.cols() == h.cols());
      REQUIRE(e.rad.rows() == h.rows());
      int outside = 0, missed = 0, negative = 0;
      {
        const locus::ScopedBallPrecision wide(4096);
        for (Eigen::Index j = 0; j < h.cols(); ++j) {
          for (Eigen::Index i = 0; i < h.rows(); ++i) {
            if (!(e.rad(i, j) >= 0)) ++negative;
            const Ball box = locus::ball_from_double(e.mid(i, j), e.rad(i, j));
            if (!locus::contains(box, h(i, j))) ++outside;
            if (!locus::contains(box, ScalarTraits<Ball>::from_rational(exact(i, j)))) ++missed;
          }
        }
      }
      CHECK(negative == 0);
      CHECK(outside == 0);
      CHECK(missed == 0);
      // no wider than the balls themselves plus a rounding of the midpoint
      CHECK((e.rad.maxCoeff()) <= 2 * max_radius(h) + 1e-15 * max_abs_mid(h));
    }
  }
}

TEST_CASE("hessian_enclosure: only for interval arithmetic") {
  const Problem p = make_problem(Activation::sigmoid(), 20, 5);
  const LossFunction<double> fn(p.net, p.data);
  CHECK_THROWS_WITH_AS(fn.hessian_enclosure(Vec<double>::Zero(p.theta.size())),
                       doctest::Contains("interval arithmetic"),
                       locus::UnsupportedScalar);
}

TEST_CASE("hessian_enclosure: an entry beyond double's range is named, the same one every time") {
  // Inputs of 1e200: the first layer's entries are ~1e400. The first in column-major order of
  // the lower triangle, (0, 0), is named whatever thread found which.
  Problem p = make_problem(Activation::identity(), 50, 3);
  Rational big(1);
  for (int i = 0; i < 200; ++i) big *= 10;
  p.data.inputs *= big;
  const locus::ScopedBallPrecision precision(53);
  const LossFunction<Ball> fn(p.net, p.data);
  Vec<Ball> theta(p.theta.size());
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    theta(k) = ScalarTraits<Ball>::from_rational(p.theta(k));
  }
  for (int run = 0; run < 3; ++run) {
    CHECK_THROWS_WITH_AS(fn.hessian_enclosure(theta),
                         doctest::Contains("Hessian entry (0, 0) is"),
                         locus::InvalidArgument);
  }
}
