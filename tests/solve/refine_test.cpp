// Refinement: Ceres polish in double, minimum-norm Newton in MPFR (docs/constructions.md G1,
// docs/refine-classify.md: a small gradient is not a critical point).
#include "locus/solve/refine.hpp"

#include <doctest/doctest.h>

#include <limits>

#include "locus/io/problem.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/existence.hpp"

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
  // θ* = (1, 0, 1, 0) up to the 10-digit rounding of the targets (docs/constructions.md).
  CHECK(locus::ScalarTraits<M>::to_double(r.theta(0)) == doctest::Approx(1.0).epsilon(1e-6));
}

TEST_CASE("Krawczyk: a true critical point lies within the proved radius, and only there") {
  using M = locus::Mpfr512;
  const locus::Problem p = load("g1_perturbed.json");
  locus::NewtonOptions opt;
  opt.digits = 60;
  const auto coarse = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), opt);
  REQUIRE(coarse.status == locus::NewtonStatus::Converged);
  Vec<Rational> theta(coarse.theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    theta(i) = locus::ScalarTraits<M>::to_rational(coarse.theta(i));
  }
  const locus::ExistenceProof proof = locus::prove_critical_point(p.network, p.data, theta, 512);
  CHECK(proof.attempted);
  REQUIRE(proof.proved);
  CHECK(proof.radius > 0);
  CHECK(proof.contraction < Rational(3, 4));
  // An independent, far more accurate critical point (1024 bits, 250 digits) lies inside the box.
  using B = locus::Mpfr1024;
  locus::NewtonOptions fine;
  fine.digits = 250;
  Vec<B> start(theta.size());
  for (Eigen::Index i = 0; i < theta.size(); ++i) start(i) = B(coarse.theta(i));
  const auto exact = locus::newton_refine<B>(p.network, p.data, start, fine);
  REQUIRE(exact.status == locus::NewtonStatus::Converged);
  Rational dist(0);
  for (Eigen::Index i = 0; i < theta.size(); ++i) {
    const Rational d = abs(locus::ScalarTraits<B>::to_rational(exact.theta(i)) - theta(i));
    if (d > dist) dist = d;
  }
  CHECK(dist <= proof.radius);
  // The radius is tight: within a factor 10^3 of the true distance (r = 4·|H⁻¹∇L|).
  CHECK(proof.radius <= dist * 1000);

  // A point that is not near a critical point (the 1e-4 perturbation, ‖∇L‖ ~ 1e-4) is still
  // inside Newton's basin: the proof succeeds with a radius ~1e-4, the true point inside.
  const locus::ExistenceProof far = locus::prove_critical_point(p.network, p.data, *p.point, 256);
  if (far.proved) {
    Rational d_far(0);
    for (Eigen::Index i = 0; i < theta.size(); ++i) {
      const Rational d = abs(locus::ScalarTraits<B>::to_rational(exact.theta(i)) - (*p.point)(i));
      if (d > d_far) d_far = d;
    }
    CHECK(d_far <= far.radius);
  }
  // No critical point: separable logistic regression. Never "proved".
  const locus::Problem sep = load("separable_logistic.json");
  const locus::ExistenceProof none =
      locus::prove_critical_point(sep.network, sep.data, *sep.point, 256);
  CHECK_FALSE(none.proved);
  CHECK_FALSE(none.reason.empty());
  CHECK_THROWS_AS(locus::prove_critical_point(p.network, p.data, Vec<Rational>::Zero(2), 256),
                  locus::InvalidArgument);
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

TEST_CASE("Newton crosses a curved valley with condition number 1e9 (known defect 7)") {
  // σ(z) = z + εz³, ε = 1e-5, [1,1,1] without bias; the strict minimum (Hessian eigenvalues
  // about 2.2e-8 and 28) lies at max-norm distance 1.774e-3 from the start (1.001, 0.999). Every
  // useful step raises ‖∇L‖ at first: only the Newton correction at the step's end sees progress.
  using M = locus::Mpfr512;
  const locus::Problem p = load("ill_conditioned_valley.json");
  locus::NewtonOptions opt;
  opt.digits = 100;
  const auto r = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), opt);
  REQUIRE(r.status == locus::NewtonStatus::Converged);
  CHECK(locus::ScalarTraits<M>::to_double(r.theta(0)) ==
        doctest::Approx(1.002774018).epsilon(1e-8));
  CHECK(locus::ScalarTraits<M>::to_double(r.theta(1)) ==
        doctest::Approx(0.997233482).epsilon(1e-8));
  Vec<Rational> refined(r.theta.size());
  for (Eigen::Index i = 0; i < refined.size(); ++i) {
    refined(i) = locus::ScalarTraits<M>::to_rational(r.theta(i));
  }
  const locus::ExistenceProof ex = locus::prove_critical_point(p.network, p.data, refined, 512);
  CHECK(ex.proved);
}

TEST_CASE("Newton stops early when θ runs off along a flat region") {
  // Separable logistic regression: no critical point; the steps do not shrink while ‖θ‖ grows.
  using M = locus::Mpfr256;
  const locus::Problem p = load("separable_logistic.json");
  locus::NewtonOptions opt;
  opt.digits = 60;
  const auto r = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), opt);
  CHECK(r.status != locus::NewtonStatus::Converged);
  CHECK(r.history.size() < 60);
}
