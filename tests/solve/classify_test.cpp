// Classification with certificates: G1 and its split (math-spec §8, FA-3/PS-1), the star locus.
#include "locus/solve/classify.hpp"

#include <doctest/doctest.h>

#include "locus/io/problem.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/refine.hpp"

using locus::Classification;
using locus::PointKind;
using locus::Rational;
using locus::Vec;

namespace {

locus::Problem load(const std::string& name) {
  return locus::read_problem_file(std::string(LOCUS_SOURCE_DIR) + "/tests/data/" + name);
}

// G1's small network refined to a critical point (‖∇L‖ < 1e-100), exact binary rationals.
locus::Problem g1_critical() {
  using M = locus::Mpfr512;
  locus::Problem p = load("g1_perturbed.json");
  const auto r = locus::newton_refine<M>(p.network, p.data, p.point_as<M>(), {});
  REQUIRE(r.status == locus::NewtonStatus::Converged);
  Vec<Rational> t(r.theta.size());
  for (Eigen::Index i = 0; i < t.size(); ++i)
    t(i) = locus::ScalarTraits<M>::to_rational(r.theta(i));
  p.point = t;
  return p;
}

// R2 on [1,1,1]: (w, b, ζ, c) -> (w, w, b, b, λζ, (1−λ)ζ, c) for [1,2,1].
locus::Problem split(const locus::Problem& s, const Rational& lambda) {
  locus::Problem b = s;
  b.network.widths = {1, 2, 1};
  const Vec<Rational>& t = *s.point;
  Vec<Rational> u(7);
  u << t(0), t(0), t(1), t(1), lambda * t(2), (1 - lambda) * t(2), t(3);
  b.point = u;
  return b;
}

Classification run(const locus::Problem& p, const std::string& arithmetic) {
  return locus::classify_point(p, locus::parse_arithmetic(arithmetic));
}

}  // namespace

TEST_CASE("G1: strict minimum; its split at 1/2 is a degenerate minimum only with the manifold") {
  const locus::Problem small = g1_critical();
  const auto c = run(small, "ball:512");
  CHECK(c.critical);
  CHECK(c.certified);
  CHECK(c.kind == PointKind::StrictMinimum);
  CHECK(c.inertia == locus::Inertia{4, 0, 0});
  // Nondegenerate: Krawczyk proves a true critical point next to θ̃, and its kind.
  REQUIRE(c.certificate.contains("existence"));
  CHECK(c.certificate["existence"]["proved"] == true);
  CHECK(c.certificate.contains("true_critical_point"));
  // Not refined: the 1e-4-perturbed point is certainly not critical.
  CHECK(run(load("g1_perturbed.json"), "ball:256").kind == PointKind::NotCritical);
  // Floating point: evidence only.
  const auto f = run(small, "double");
  CHECK(f.kind == PointKind::StrictMinimum);
  CHECK_FALSE(f.certified);

  locus::Problem half = split(small, Rational(1, 2));
  const auto u = run(half, "ball:512");
  CHECK(u.inertia == locus::Inertia{6, 0, 1});
  CHECK(u.kind == PointKind::Undecided);  // never "minimum" without the manifold
  half.extra["tangent_basis"] = nlohmann::json::array({{"0", "0", "0", "0", "1", "-1", "0"}});
  const auto m = run(half, "ball:512");
  CHECK(m.kind == PointKind::DegenerateMinimum);
  CHECK(m.certified);
  CHECK(m.certificate.contains("morse_bott"));

  const auto s = run(split(small, Rational(3, 2)), "ball:512");
  CHECK(s.kind == PointKind::Saddle);
  CHECK(s.certified);
  CHECK(s.inertia.negative == 2);

  // Bad manifold bases: wrong length, not in the kernel (the message names the residual).
  locus::Problem bad = split(small, Rational(1, 2));
  bad.extra["tangent_basis"] = nlohmann::json::array({{"0", "1"}});
  CHECK_THROWS_WITH_AS(
      run(bad, "ball:512"), doctest::Contains("expected P = 7"), locus::InvalidArgument);
  bad.extra["tangent_basis"] = nlohmann::json::array({{"1", "0", "0", "0", "0", "0", "0"}});
  CHECK_THROWS_WITH_AS(
      run(bad, "ball:512"), doctest::Contains("‖H K‖_F <="), locus::InvalidArgument);
}

TEST_CASE("star locus: three zero layers (Hessian exactly 0) is not a minimum") {
  locus::Problem p;
  p.network.widths = {1, 1, 1, 1, 1};
  p.network.activation = locus::Activation::tanh();
  p.network.bias = false;
  p.data.inputs.resize(2, 1);
  p.data.targets.resize(2, 1);
  p.data.inputs << Rational(1), Rational(2);
  p.data.targets << Rational(1), Rational(1);
  p.point = Vec<Rational>::Zero(4);
  (*p.point)(3) = Rational(2);  // W1 = W2 = W3 = 0, W4 = 2
  const auto c = run(p, "rational");
  CHECK(c.critical);
  CHECK(c.inertia == locus::Inertia{0, 0, 4});
  CHECK(c.kind != PointKind::StrictMinimum);
  CHECK(c.kind != PointKind::DegenerateMinimum);
  // G3(a): the chain at (0, 0, 2) has Hessian [[0,-6,0],[-6,0,0],[0,0,0]]: a saddle.
  const auto g3 = run(
      locus::read_problem_file(std::string(LOCUS_SOURCE_DIR) + "/examples/problems/g3a_star.json"),
      "rational");
  CHECK(g3.kind == PointKind::Saddle);
  CHECK(g3.certified);
}
