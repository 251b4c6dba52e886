// Refinement: Ceres polish in double, minimum-norm Newton in MPFR (math-spec §8 G1, §10 pitfall
// 11).
#include "locus/solve/refine.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"

using locus::Mat;
using locus::Rational;
using locus::Vec;

namespace {

locus::Problem load(const std::string& name) {
  return locus::read_problem_file(std::string(LOCUS_SOURCE_DIR) + "/tests/data/" + name);
}

// An upper bound of ‖∇L‖ at θ from balls (independent of the Newton iteration's own arithmetic).
locus::Ball gradient_norm_ball(const locus::Problem& p, const Vec<Rational>& theta, int bits) {
  const locus::ScopedBallPrecision precision(bits);
  const locus::LossFunction<locus::Ball> f(p.network, p.data);
  Vec<locus::Ball> t(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) t(i) = locus::Ball(theta(i));
  return locus::Ball::from_mid_rad(locus::norm_upper_bound(f.gradient(t)), Rational(0));
}

}  // namespace

TEST_CASE("G1 perturbed by 1e-4: MPFR-512 Newton reaches ||grad L|| < 1e-100") {
  using M = locus::Mpfr512;
  const locus::Problem p = load("g1_perturbed.json");
  const auto r = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), {});
  CHECK(r.status == locus::NewtonStatus::Converged);
  const bool below = r.gradient_norm < M("1e-100");
  CHECK(below);
  CHECK(r.history.size() <= 12);  // quadratic convergence from 1e-4
  CHECK(locus::ScalarTraits<M>::to_double(r.loss) == doctest::Approx(0.5).epsilon(1e-6));
  Vec<Rational> refined(r.theta.size());
  for (Eigen::Index i = 0; i < refined.size(); ++i) {
    refined(i) = locus::ScalarTraits<M>::to_rational(r.theta(i));
  }
  const locus::Ball bound = gradient_norm_ball(p, refined, 520);
  Rational tiny(1);
  for (int i = 0; i < 100; ++i) tiny /= 10;
  CHECK(bound.upper() < tiny);
  // θ* = (1, 0, 1, 0) up to the 10-digit rounding of the targets (math-spec G1).
  CHECK(locus::ScalarTraits<M>::to_double(r.theta(0)) == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("Ceres polish: gradient residuals (any critical point) and least squares (minima)") {
  const locus::Problem p = load("g1_perturbed.json");
  const auto g = locus::ceres_polish(p.network, p.data, p.point_as<double>());
  CHECK(g.available);
  CHECK(g.usable);
  CHECK(g.formulation == "gradient");
  CHECK(g.initial_gradient_norm > 1e-5);
  CHECK(g.final_gradient_norm < 1e-9);
  locus::PolishOptions ls;
  ls.formulation = locus::PolishFormulation::LeastSquares;
  const auto l = locus::ceres_polish(p.network, p.data, p.point_as<double>(), ls);
  CHECK(l.usable);
  CHECK(l.final_cost <= l.initial_cost);
  CHECK(l.final_gradient_norm < 1e-6);
}

TEST_CASE("no critical point: separable logistic regression is not reported as critical") {
  const locus::Problem p = load("separable_logistic.json");
  using M = locus::Mpfr256;
  const auto r = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), {});
  CHECK(r.status != locus::NewtonStatus::Converged);
  CHECK_FALSE(r.reason.empty());
}

TEST_CASE("bad input and Ceres failures") {
  const locus::Problem p = load("g1_perturbed.json");
  Vec<double> bad = p.point_as<double>();
  bad(1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THROWS_WITH_AS(locus::ceres_polish(p.network, p.data, bad),
                       doctest::Contains("θ[1]"),
                       locus::InvalidArgument);
  CHECK_THROWS_AS(locus::newton_refine<double>(p.network, p.data, bad, {}), locus::InvalidArgument);
  CHECK_THROWS_AS(locus::newton_refine<double>(p.network, p.data, Vec<double>::Zero(3), {}),
                  locus::InvalidArgument);
  const locus::Problem ce = load("separable_logistic.json");
  locus::PolishOptions ls;
  ls.formulation = locus::PolishFormulation::LeastSquares;
  CHECK_THROWS_AS(locus::ceres_polish(ce.network, ce.data, ce.point_as<double>(), ls),
                  locus::InvalidArgument);
  // A start where the double gradient overflows: Ceres fails, the report says so, no crash.
  locus::Network id;
  id.widths = {1, 1, 1};
  id.activation = locus::Activation::identity();
  locus::Dataset d;
  d.inputs = Mat<Rational>::Constant(2, 1, Rational(2));
  d.targets = Mat<Rational>::Constant(2, 1, Rational(1));
  Vec<double> huge(4);
  huge << 1e200, 0, 1e200, 0;
  locus::ceres_polish(id, d, huge);  // must not throw
  const auto f = locus::ceres_polish(id, d, huge);
  CHECK_FALSE(f.usable);
  CHECK(f.theta == huge);
}
