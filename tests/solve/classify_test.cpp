// Classification with certificates: G1 and its split (docs/constructions.md, FA-3/PS-1), the star locus.
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

  // The split at 1/2: its two hidden units are copies, so locus merges them, proves the merged
  // network's critical point (Krawczyk) and classifies the lifted point over the lifted box.
  locus::Problem half = split(small, Rational(1, 2));
  const auto u = run(half, "ball:512");
  CHECK(u.inertia == locus::Inertia{6, 0, 1});
  CHECK(u.zeros_exact);
  CHECK(u.kind == PointKind::DegenerateMinimum);
  CHECK(u.certified);
  CHECK(u.stationarity == locus::Stationarity::ProvedNearby);
  CHECK(u.certificate.contains("reduction"));
  half.extra["tangent_basis"] = nlohmann::json::array({{"0", "0", "0", "0", "1", "-1", "0"}});
  const auto m = run(half, "ball:512");
  CHECK(m.kind == PointKind::DegenerateMinimum);
  CHECK(m.certified);
  CHECK(m.certificate.contains("morse_bott"));
  // Copies no longer exactly equal (1e-200 apart): no reduction; the supplied basis is only a
  // hypothesis and the point only ε-stationary, so the minimum is conditional, not certified.
  locus::Problem near = half;
  (*near.point)(1) += locus::parse_rational("1e-200");
  const auto h = run(near, "ball:512");
  CHECK(h.kind == PointKind::DegenerateMinimum);
  CHECK_FALSE(h.certified);
  CHECK(h.stationarity == locus::Stationarity::EpsilonStationary);
  CHECK(h.conditional_on.find("tangent_basis") != std::string::npos);
  CHECK_FALSE(h.zeros_exact);

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

namespace {
locus::Problem parse(const std::string& text) {
  return locus::parse_problem(text, "test");
}
}  // namespace

TEST_CASE("soundness: a supplied tangent basis never overrides a proved saddle") {
  // Deep linear [1,1,1,1] at 0, L = ½(w1 w2 w3 − 1)²: the axes are critical lines but their span
  // is not; D³L = −6 along (1,1,1). Known defect 1: it was certified a degenerate minimum.
  const auto p = parse(
      R"({"format":"locus-problem/1","network":{"widths":[1,1,1,1],"activation":"identity",)"
      R"("bias":false,"loss":"squared","reduction":"sum"},"data":{"inputs":[["1"]],"targets":)"
      R"([["1"]]},"point":["0","0","0"],"tangent_basis":[["1","0","0"],["0","1","0"],)"
      R"(["0","0","1"]]})");
  for (const char* a : {"rational", "ball:256", "mpfr:256"}) {
    CAPTURE(a);
    const auto c = run(p, a);
    CHECK(c.kind != PointKind::DegenerateMinimum);
  }
  const auto r = run(p, "rational");
  CHECK(r.kind == PointKind::Saddle);
  CHECK(r.certified);
  CHECK(r.certificate.contains("tangent_basis_contradiction"));
  // One axis: a right direction, but n0 = 3 > 1: Morse–Bott does not apply; third order decides.
  auto axis = p;
  axis.extra["tangent_basis"] = nlohmann::json::array({{"1", "0", "0"}});
  CHECK(run(axis, "rational").kind == PointKind::Saddle);
}

TEST_CASE("soundness: the verified critical manifold of a polynomial loss") {
  // [1,2,1] identity, no bias, x = 1, y = 2 at θ = (1, 0, 2, 0) (w1, w2, v1, v2): f = v1 w1 + v2 w2
  // = 2 = y. The second unit is dead and the line (0, 0, 0, t) is critical for every t (f is
  // unchanged and ∂L/∂w2 = v2 (f − y) = 0), so the basis {e4} is checked over Q, not assumed.
  const auto p = parse(
      R"({"format":"locus-problem/1","network":{"widths":[1,2,1],"activation":"identity",)"
      R"("bias":false,"loss":"squared","reduction":"sum"},"data":{"inputs":[["1"]],"targets":)"
      R"([["2"]]},"point":["1","0","2","0"]})");
  const auto c = run(p, "rational");
  CHECK(c.critical);
  // The zero-loss set {v1 w1 + v2 w2 = 2} is 3-dimensional: n0 = 3, n+ = 1.
  CHECK(c.inertia == locus::Inertia{1, 0, 3});
  auto wrong = p;  // e4 alone spans a critical line, but n0 = 3 > 1: undecided, never a minimum
  wrong.extra["tangent_basis"] = nlohmann::json::array({{"0", "0", "0", "1"}});
  const auto w = run(wrong, "rational");
  CHECK(w.kind != PointKind::Saddle);
  CHECK(w.kind != PointKind::DegenerateMinimum);
  // A basis of the kernel that is not a critical family (the quadric is curved): refuted exactly.
  auto curved = p;
  curved.extra["tangent_basis"] =
      nlohmann::json::array({{"0", "0", "0", "1"}, {"0", "1", "0", "0"}, {"1", "0", "-2", "0"}});
  const auto k = run(curved, "rational");
  CHECK(k.kind != PointKind::DegenerateMinimum);
  CHECK(k.certificate.contains("tangent_basis_contradiction"));
}

TEST_CASE("soundness: no certified kind at a point of a loss without critical points") {
  // Known defect 2: sigmoid [1,1,1], no bias, inputs (1, −1), targets (1, 0): min over v leaves
  // g(w) = ½/(1 + e^{2w}), strictly decreasing, so L has no critical point at all.
  const auto p =
      parse(R"({"format":"locus-problem/1","network":{"widths":[1,1,1],"activation":"sigmoid",)"
            R"("bias":false,"loss":"squared","reduction":"sum"},"data":{"inputs":[["1"],["-1"]],)"
            R"("targets":[["1"],["0"]]},"point":["30","1.0000000000000935762296883929895383956248)"
            R"(940473163178076211679486528898773806455"]})");
  for (const char* a : {"ball:256", "mpfr:256", "ball:512", "double"}) {
    CAPTURE(a);
    const auto c = run(p, a);
    CHECK((!c.certified || c.kind == PointKind::NotCritical));
    if (c.kind != PointKind::NotCritical) {
      CHECK(c.stationarity == locus::Stationarity::EpsilonStationary);
    }
  }
}
