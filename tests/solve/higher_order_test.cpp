// The directional test of higher order (locus/solve/higher_order.hpp): its Taylor coefficients
// against the library's own derivatives and a closed form, and the C-locus origin of a
// [1, 2, 2, 2, 1] tanh network without biases (first nonzero order 4) certified a saddle.
#include "locus/solve/higher_order.hpp"

#include <doctest/doctest.h>

#include "locus/io/problem.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/classify.hpp"

using locus::Rational;
using locus::Vec;

namespace {

locus::Problem load(const std::string& name) {
  return locus::read_problem_file(std::string(LOCUS_SOURCE_DIR) + "/tests/data/" + name);
}

Vec<Rational> seeded(Eigen::Index n, long k) {
  Vec<Rational> u(n);
  for (Eigen::Index i = 0; i < n; ++i) u(i) = Rational(((i * 7 + k) % 9) - 4, 1 + (i % 3));
  return u;
}

}  // namespace

TEST_CASE("Taylor coefficients equal L, ∇L·u, uᵀHu/2 and D³L[u³]/6 exactly over Q") {
  // a polynomial network with biases, mean reduction, a loss scale and an L2 term
  locus::Problem p;
  p.network.widths = {2, 3, 1};
  p.network.activation = locus::Activation::from_name("polynomial[1/2, 1, -1/3, 1/5]");
  p.network.reduction = locus::Reduction::Mean;
  p.network.loss_scale = Rational(3, 2);
  p.network.l2 = Rational(1, 10);
  p.data.inputs = locus::Mat<Rational>(3, 2);
  p.data.inputs << 1, 2, -1, Rational(1, 3), 0, 1;
  p.data.targets = locus::Mat<Rational>(3, 1);
  p.data.targets << 1, Rational(-1, 2), 2;
  const auto P = p.network.num_parameters();
  const Vec<Rational> theta = seeded(P, 1), u = seeded(P, 5);
  const locus::LossFunction<Rational> f(p.network, p.data);
  const std::vector<Rational> c =
      locus::directional_taylor<Rational>(p.network, p.data, theta, u, 6);
  REQUIRE(c.size() == 7);
  CHECK(c[0] == f.loss(theta));
  CHECK(c[1] == f.gradient(theta).dot(u));
  CHECK(c[2] == Rational(u.dot(f.hessian(theta) * u)) / 2);
  CHECK(c[3] == f.third_derivative(theta, u) / 6);
  // L(θ + t u) is a polynomial of degree 2·(3·1 + 1) = 8: its value at t = 1 is Σ_k c_k up to 8
  const std::vector<Rational> c8 =
      locus::directional_taylor<Rational>(p.network, p.data, theta, u, 8);
  Rational sum = 0;
  for (const auto& v : c8) sum += v;
  CHECK(sum == f.loss(Vec<Rational>(theta + u)));
}

TEST_CASE("Taylor coefficients in balls agree with the loss, gradient and third derivative") {
  for (const char* act : {"tanh", "sigmoid", "softplus", "silu", "erf"}) {
    CAPTURE(act);
    locus::Problem p;
    p.network.widths = {1, 2, 1};
    p.network.activation = locus::Activation::from_name(act);
    p.data.inputs = locus::Mat<Rational>(2, 1);
    p.data.inputs << 1, -2;
    p.data.targets = locus::Mat<Rational>(2, 1);
    p.data.targets << Rational(1, 2), 1;
    const auto P = p.network.num_parameters();
    const Vec<Rational> theta = seeded(P, 2), u = seeded(P, 3);
    const locus::ScopedBallPrecision precision(128);
    const Vec<locus::Ball> tb = locus::convert_matrix<locus::Ball>(locus::Mat<Rational>(theta));
    const Vec<locus::Ball> ub = locus::convert_matrix<locus::Ball>(locus::Mat<Rational>(u));
    const auto c = locus::directional_taylor<locus::Ball>(p.network, p.data, tb, ub, 4);
    const locus::LossFunction<locus::Ball> f(p.network, p.data);
    CHECK(locus::possibly_zero(c[0] - f.loss(tb)));
    CHECK(locus::possibly_zero(c[1] - f.gradient(tb).dot(ub)));
    CHECK(locus::possibly_zero(c[3] - f.third_derivative(tb, ub) / locus::Ball(6)));
    CHECK(c[4].rad_double() < 1e-20);
  }
}

TEST_CASE("C-locus origin of [1,2,2,2,1] tanh without biases: first nonzero order 4, a saddle") {
  const locus::Problem p = load("clocus_origin_tanh_1_2_2_2_1.json");
  const Vec<Rational> theta = *p.point;
  // c_4 = −Σ_i y_i (U4 U3 U2 U1) x_i: f(t u) = t⁴ U4U3U2U1 x + O(t⁶)
  const Vec<Rational> u = seeded(p.network.num_parameters(), 4);
  const auto c = locus::directional_taylor<Rational>(p.network, p.data, theta, u, 5);
  const auto& net = p.network;
  locus::Mat<Rational> prod = locus::Mat<Rational>::Identity(1, 1);
  for (int l = 1; l <= 4; ++l) {
    locus::Mat<Rational> w(net.width(l), net.width(l - 1));
    for (int j = 0; j < net.width(l); ++j)
      for (int k = 0; k < net.width(l - 1); ++k) w(j, k) = u(net.weight_index(l, j, k));
    prod = l == 1 ? w : locus::Mat<Rational>(w * prod);
  }
  Rational expected = 0;
  for (Eigen::Index i = 0; i < p.data.size(); ++i) {
    expected -= p.data.targets(i, 0) * prod(0, 0) * p.data.inputs(i, 0);
  }
  CHECK(c[1] == 0);
  CHECK(c[2] == 0);
  CHECK(c[3] == 0);
  CHECK(c[4] == expected);
  CHECK(c[5] == 0);  // L is even in θ here (tanh odd, no biases)

  for (const char* a : {"rational", "ball:256"}) {
    CAPTURE(a);
    const locus::Classification k = locus::classify_point(p, locus::parse_arithmetic(a));
    CHECK(k.kind == locus::PointKind::Saddle);
    CHECK(k.certified);
    CHECK(k.certificate.value("higher_order", std::string()).find("c_4") != std::string::npos);
  }
}

TEST_CASE("the higher-order test decides nothing in double, and refuses what it cannot expand") {
  const locus::Problem p = load("clocus_origin_tanh_1_2_2_2_1.json");
  const Vec<double> theta = Vec<double>::Zero(p.network.num_parameters());
  const auto r = locus::higher_order_test<double>(p.network, p.data, theta, 8, 6, 0);
  CHECK_FALSE(r.not_minimum);
  CHECK_FALSE(r.not_maximum);
  locus::Problem g = p;
  g.network.activation = locus::Activation::gelu();
  CHECK_THROWS_AS(locus::directional_taylor<double>(g.network, g.data, theta, theta, 4),
                  locus::UnsupportedScalar);
  CHECK_THROWS_AS(locus::directional_taylor<double>(p.network, p.data, theta, theta, 0),
                  locus::InvalidArgument);
}
