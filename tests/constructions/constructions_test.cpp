// The paper constructions: golden cases G1, G2 (own exact analogue), G3, G5 of docs/constructions.md,
// planted faults, and bad input.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "locus/constructions/counterexamples.hpp"
#include "locus/constructions/design.hpp"
#include "locus/constructions/path.hpp"
#include "locus/constructions/split.hpp"
#include "locus/constructions/star.hpp"
#include "locus/constructions/wide.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/dataset.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/reproductions/littwin_wolf.hpp"
#include "locus/reproductions/sagun.hpp"
#include "locus/solve/classify.hpp"

#include <Eigen/Eigenvalues>

namespace lc = locus::constructions;
namespace lr = locus::reproductions;
using locus::Inertia;
using locus::Mat;
using locus::Rational;
using locus::Vec;

namespace {

locus::Problem load(const std::string& rel) {
  return locus::read_problem_file(std::string(LOCUS_SOURCE_DIR) + "/" + rel);
}

// G1's small network refined to 100 digits (a rational point).
locus::Problem g1_refined() {
  return lc::g1_critical_problem();
}

lc::SplitSpec spec(int layer, int unit, Rational lambda) {
  lc::SplitSpec s;
  s.layer = layer;
  s.unit = unit;
  s.lambda = lambda;
  return s;
}

double mid_of(const nlohmann::json& ball_text) {
  const std::string s = ball_text.get<std::string>();
  return std::stod(s.substr(s.find('[') + 1));
}

lc::DesignSpec g2_design(lc::FTarget target, std::uint32_t seed) {
  const locus::Problem base = load("examples/constructions/g2_base.json");
  lc::DesignSpec d;
  d.network = base.network;
  d.inputs = base.data.inputs;
  d.theta = *base.point;
  d.f_target = target;
  d.strict_minimum = true;
  d.seed = seed;
  return d;
}

}  // namespace

TEST_CASE("G1: the split table of math-spec §8 in balls, with the true critical point proved") {
  const locus::Problem small = g1_refined();
  const auto ball = locus::parse_arithmetic("ball:512");
  struct Row {
    Rational lambda;
    Inertia inertia;
    std::string kind;
  };
  const Row rows[] = {{Rational(1, 4), {6, 0, 1}, "degenerate-minimum"},
                      {Rational(1, 2), {6, 0, 1}, "degenerate-minimum"},
                      {Rational(0), {4, 0, 3}, "undecided"},
                      {Rational(1), {4, 0, 3}, "undecided"},
                      {Rational(-1, 2), {4, 2, 1}, "saddle"},
                      {Rational(3, 2), {4, 2, 1}, "saddle"}};
  for (const Row& row : rows) {
    CAPTURE(locus::to_string(row.lambda));
    const lc::SplitCertificate c = lc::certify_split(small, spec(1, 0, row.lambda), ball);
    CHECK(c.existence["proved"] == true);
    CHECK(c.small_inertia.inertia == Inertia{4, 0, 0});
    CHECK(c.f_inertia.inertia == Inertia{2, 0, 0});
    CHECK(c.b_zero);
    CHECK(c.predicted == row.inertia);
    CHECK(c.big_inertia.decided);
    CHECK(c.big_inertia.inertia == row.inertia);
    CHECK(c.prediction_holds);
    CHECK(c.congruence_holds);
    CHECK(c.kind == row.kind);
  }
  // F = 4.2386047e-4 · I₂ and the λ = 1/2 eigenvalues (to the 10-digit rounding of the targets).
  const lc::SplitCertificate half = lc::certify_split(small, spec(1, 0, Rational(1, 2)), ball);
  CHECK(mid_of(half.f[0][0]) == doctest::Approx(4.2386047e-4).epsilon(1e-6));
  CHECK(mid_of(half.f[1][1]) == doctest::Approx(4.2386047e-4).epsilon(1e-6));
  CHECK(std::abs(mid_of(half.f[0][1])) < 1e-9);
  const locus::Problem big = lc::split_problem(small, spec(1, 0, Rational(1, 2)));
  const Mat<double> h =
      locus::LossFunction<double>(big.network, big.data).hessian(big.point_as<double>());
  const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Mat<double>>(h).eigenvalues();
  const double table[] = {0, 2.1193e-4, 2.1193e-4, 0.0282815, 0.0301249, 1.6586139, 14.5150177};
  CHECK(std::abs(ev(0)) < 1e-12);
  for (int i = 1; i < 7; ++i) CHECK(ev(i) == doctest::Approx(table[i]).epsilon(1e-4));
  // The written certificate re-checks from the file alone: classify with the tangent basis.
  locus::Problem file = big;
  file.certificate = lc::to_json(half);
  const auto cl = locus::classify_point(file, ball);
  CHECK(cl.kind == locus::PointKind::DegenerateMinimum);
  // Without the basis: the duplicated units are merged and the merged point proved (Krawczyk).
  file.certificate.erase("tangent_basis");
  const auto merged = locus::classify_point(file, ball);
  CHECK(merged.kind == locus::PointKind::DegenerateMinimum);
  CHECK(merged.certified);
  CHECK(merged.stationarity == locus::Stationarity::ProvedNearby);
  CHECK(merged.certificate.contains("reduction"));
}

TEST_CASE("G2: an exact analogue of G1, decided entirely over Q") {
  const lc::DesignResult d = lc::inverse_design(g2_design(lc::FTarget::Positive, 1));
  CHECK(d.certificate["gradient"] == "0 exactly");
  CHECK(d.certificate["arithmetic"] == "rational");
  const auto q = locus::parse_arithmetic("rational");
  struct Row {
    Rational lambda;
    Inertia inertia;
    std::string kind;
  };
  const Row rows[] = {{Rational(1, 4), {6, 0, 1}, "degenerate-minimum"},
                      {Rational(1, 2), {6, 0, 1}, "degenerate-minimum"},
                      {Rational(2, 3), {6, 0, 1}, "degenerate-minimum"},
                      {Rational(0), {4, 0, 3}, "undecided"},
                      {Rational(1), {4, 0, 3}, "undecided"},
                      {Rational(-1, 2), {4, 2, 1}, "saddle"},
                      {Rational(7, 3), {4, 2, 1}, "saddle"}};
  for (const Row& row : rows) {
    CAPTURE(locus::to_string(row.lambda));
    const lc::SplitCertificate c = lc::certify_split(d.problem, spec(1, 0, row.lambda), q);
    CHECK(c.arithmetic == "rational");
    CHECK(c.big_gradient == "0 exactly");
    CHECK(c.congruence_holds);
    CHECK(c.congruence.find("exactly over Q") != std::string::npos);
    CHECK(c.big_inertia.inertia == row.inertia);
    CHECK(c.prediction_holds);
    CHECK(c.kind == row.kind);
    const locus::Problem big = lc::split_problem(d.problem, spec(1, 0, row.lambda));
    locus::Problem file = big;
    file.certificate = lc::to_json(c);
    const auto cl = locus::classify_point(file, q);
    if (row.kind == "degenerate-minimum") CHECK(cl.kind == locus::PointKind::DegenerateMinimum);
    if (row.kind == "saddle") CHECK(cl.kind == locus::PointKind::Saddle);
    if (row.kind == "undecided") CHECK(cl.kind != locus::PointKind::DegenerateMinimum);
  }
  // F_r ≺ 0: the mirror image (FA-3): minima outside [0, 1], saddles inside.
  const lc::DesignResult n = lc::inverse_design(g2_design(lc::FTarget::Negative, 2));
  CHECK(lc::certify_split(n.problem, spec(1, 0, Rational(2)), q).kind == "degenerate-minimum");
  CHECK(lc::certify_split(n.problem, spec(1, 0, Rational(1, 2)), q).kind == "saddle");
}

TEST_CASE("planted fault: flipping the residual's sign flips F_r and the verdicts") {
  const lc::DesignResult d = lc::inverse_design(g2_design(lc::FTarget::Positive, 1));
  locus::Problem flipped = d.problem;
  const Mat<Rational> phi =
      locus::LossFunction<Rational>(d.problem.network, d.problem.data).outputs(*d.problem.point);
  flipped.data.targets = phi * 2 - d.problem.data.targets;  // e = f − y becomes −e
  const auto q = locus::parse_arithmetic("rational");
  const lc::SplitCertificate ok = lc::certify_split(d.problem, spec(1, 0, Rational(1, 2)), q);
  const lc::SplitCertificate bad = lc::certify_split(flipped, spec(1, 0, Rational(1, 2)), q);
  CHECK(ok.kind == "degenerate-minimum");
  CHECK(bad.f_inertia.inertia.negative == 2);
  CHECK(bad.kind != "degenerate-minimum");
  // A point perturbed by 1e-20 in one coordinate is no longer critical: refused over Q.
  locus::Problem moved = d.problem;
  Rational tiny(1);
  for (int i = 0; i < 20; ++i) tiny /= 10;
  (*moved.point)(2) += tiny;  // 1e-20
  CHECK_THROWS_WITH_AS(lc::certify_split(moved, spec(1, 0, Rational(1, 2)), q),
                       doctest::Contains("needs a critical point"),
                       locus::InvalidArgument);
}

TEST_CASE("G5: vector output, B_r != 0, saddles for every lambda with a descent direction") {
  const locus::Problem base = load("examples/constructions/g5_base.json");
  lc::DesignSpec d;
  d.network = base.network;
  d.inputs = base.data.inputs;
  d.theta = *base.point;
  d.epsilon = Rational(7, 10);
  d.strict_minimum = true;
  const lc::DesignResult r = lc::inverse_design(d);
  const auto ball = locus::parse_arithmetic("ball:256");
  for (int unit = 0; unit < 3; ++unit) {
    for (const Rational& lam : {Rational(3, 10), Rational(8, 5), Rational(-2, 5), Rational(0)}) {
      CAPTURE(unit);
      CAPTURE(locus::to_string(lam));
      const lc::SplitCertificate c = lc::certify_split(r.problem, spec(1, unit, lam), ball);
      CHECK(c.existence["proved"] == true);
      CHECK(c.congruence_holds);
      CHECK(c.prediction_holds);
      CHECK_FALSE(c.b_zero);
      CHECK(c.rank_b >= 1);
      CHECK(c.big_inertia.inertia.negative >= c.small_inertia.inertia.negative + c.rank_b);
      CHECK(c.kind == "saddle");
      CHECK(c.descent.has_value());
    }
  }
}

TEST_CASE("G3: star locus points, exact ST-2 prediction and the C locus") {
  const auto ball = locus::parse_arithmetic("ball:256");
  const auto a = lc::certify_star(load("examples/problems/g3a_star.json"), {1, 2}, ball);
  CHECK(a.gradient_zero);
  CHECK(a.hessian_inertia.inertia == Inertia{1, 1, 1});
  CHECK(a.prediction_holds);
  const auto b = lc::certify_star(load("examples/problems/g3b_star.json"), {1, 2}, ball);
  CHECK(b.predicted == Inertia{2, 2, 6});
  CHECK(b.hessian_inertia.inertia == Inertia{2, 2, 6});
  CHECK(b.prediction_holds);
  const auto c = lc::certify_star(load("examples/problems/g3a_star.json"), {1, 2, 3}, ball);
  CHECK(c.hessian_zero);
  CHECK(c.not_a_minimum);
  CHECK(c.kind == "saddle");
  // Bad input: biases, σ(0) ≠ 0, fewer than two zero layers, a layer out of range.
  const locus::Problem g1 = load("examples/problems/g1_small.json");
  CHECK_THROWS_WITH_AS(
      lc::star_problem(g1, {1, 2}), doctest::Contains("biases"), locus::InvalidArgument);
  locus::Problem sig = load("examples/problems/g3a_star.json");
  sig.network.activation = locus::Activation::sigmoid();
  CHECK_THROWS_WITH_AS(
      lc::star_problem(sig, {1, 2}), doctest::Contains("σ(0) ≠ 0"), locus::InvalidArgument);
  const locus::Problem g3 = load("examples/problems/g3a_star.json");
  CHECK_THROWS_WITH_AS(
      lc::star_problem(g3, {1}), doctest::Contains("at least two"), locus::InvalidArgument);
  CHECK_THROWS_AS(lc::star_problem(g3, {1, 7}), locus::InvalidArgument);
}

TEST_CASE("split: bad input names the failed hypothesis") {
  const locus::Problem g1 = load("examples/problems/g1_small.json");
  CHECK_THROWS_WITH_AS(lc::split_problem(g1, spec(2, 0, Rational(1, 2))),
                       doctest::Contains("output layer"),
                       locus::InvalidArgument);
  CHECK_THROWS_WITH_AS(lc::split_problem(g1, spec(1, 3, Rational(1, 2))),
                       doctest::Contains("unit 3 does not exist"),
                       locus::InvalidArgument);
  // The function is unchanged by a split (R2 post-condition), for any λ.
  const locus::Problem big = lc::split_problem(g1, spec(1, 0, Rational(-7, 3)));
  const auto f_small = locus::LossFunction<locus::Ball>(g1.network, g1.data);
  const auto f_big = locus::LossFunction<locus::Ball>(big.network, big.data);
  const locus::ScopedBallPrecision p(128);
  const Mat<locus::Ball> a = f_small.outputs(g1.point_as<locus::Ball>());
  const Mat<locus::Ball> b = f_big.outputs(big.point_as<locus::Ball>());
  for (Eigen::Index i = 0; i < a.rows(); ++i) CHECK(locus::overlaps(a(i, 0), b(i, 0)));
  // Inverse design needs N·n_L > rank J.
  lc::DesignSpec d;
  d.network = g1.network;
  d.inputs = g1.data.inputs.topRows(3);
  d.theta = *g1.point;
  CHECK_THROWS_WITH_AS(
      lc::inverse_design(d), doctest::Contains("ker Jᵀ = {0}"), locus::InvalidArgument);
}

TEST_CASE("escape path (R3, PS-4): certified non-increasing, strict decrease; reversed: refuted") {
  const locus::Problem g1 = g1_refined();
  const locus::Problem path = lc::escape_path(g1, spec(1, 0, Rational(1, 2)));
  // docs/constructions.md: the grid-best w̃* = (−5, −12) with |g*| ≈ 0.198.
  CHECK(path.certificate["w_star"] == nlohmann::json::array({"-5", "-12"}));
  CHECK(std::stod(path.certificate["g_star_norm"].get<std::string>()) ==
        doctest::Approx(0.198).epsilon(0.01));
  const lc::PathCheck c = lc::check_path(path, 256);
  REQUIRE(c.segments.size() == 3);
  CHECK(c.segments[0].verdict == lc::SegmentVerdict::Constant);
  CHECK(c.segments[1].verdict == lc::SegmentVerdict::Constant);
  CHECK(c.segments[2].verdict == lc::SegmentVerdict::NonIncreasing);
  CHECK(c.segments[2].method == lc::SegmentMethod::BallDerivative);
  CHECK(c.non_increasing);
  CHECK(c.strict_decrease);
  // Planted fault: the same path walked backwards climbs in its first segment.
  locus::Problem back = path;
  nlohmann::json verts = path.extra["path"]["vertices"];
  std::reverse(verts.begin(), verts.end());
  back.extra["path"] = {{"vertices", verts}};
  const lc::PathCheck r = lc::check_path(back, 256);
  CHECK_FALSE(r.non_increasing);
  CHECK(r.segments[0].verdict == lc::SegmentVerdict::Increasing);
  CHECK_FALSE(r.strict_decrease);
  // Exact: G2's escape path is decided over Q, phases 1-2 exactly constant.
  const lc::DesignResult d = lc::inverse_design(g2_design(lc::FTarget::Positive, 1));
  const lc::PathCheck e = lc::check_path(lc::escape_path(d.problem, spec(1, 0, Rational(1, 3))));
  CHECK(e.arithmetic == "rational");
  CHECK(e.non_increasing);
  CHECK(e.strict_decrease);
  CHECK(e.segments[2].method == lc::SegmentMethod::ExactPolynomial);
  // The certificate's pieces cover [0, 1] in order, for both methods.
  for (const lc::PathCheck* k : {&c, &e}) {
    const lc::SegmentCheck& s = k->segments[2];
    REQUIRE_FALSE(s.pieces.empty());
    CHECK(s.pieces.front()[0] == 0);
    CHECK(s.pieces.back()[1] == 1);
    for (std::size_t i = 1; i < s.pieces.size(); ++i) CHECK(s.pieces[i][0] == s.pieces[i - 1][1]);
  }
  std::string why;
  const auto fact = lc::path_fact(path, c, &why);
  REQUIRE(fact.has_value());
  CHECK((*fact)["decrease"]["bits"] == 256);
  CHECK_FALSE(lc::path_fact(back, r, &why).has_value());
  CHECK(why.find("does not start at the problem's point") != std::string::npos);
  back.point = lc::path_vertices(back, nullptr).front();
  CHECK_FALSE(lc::path_fact(back, r, &why).has_value());
  CHECK(why.find("is increasing") != std::string::npos);
  // Soundness: with weight decay the same segments move penalised parameters. Phase 2 moves the
  // incoming row a long way, so the penalty grows: it is not function-preserving any more, and
  // the ball check finds the increase (it was once reported constant).
  locus::Problem decayed = path;
  decayed.network.l2 = Rational(1, 10);
  const lc::PathCheck w = lc::check_path(decayed, 256);
  CHECK(w.segments[1].method == lc::SegmentMethod::BallDerivative);
  CHECK(w.segments[1].verdict == lc::SegmentVerdict::Increasing);
  CHECK_FALSE(w.non_increasing);
  // With the penalty on weights only, moving only the dead unit's bias stays function-preserving
  // (vertex 1 is at λ = 1: the new unit's outgoing column is 0).
  locus::Problem biases = decayed;
  biases.network.l2_scope = locus::L2Scope::Weights;
  nlohmann::json two =
      nlohmann::json::array({path.extra["path"]["vertices"][1], path.extra["path"]["vertices"][1]});
  const auto bias =
      static_cast<std::size_t>(biases.network.augmented_index(1, 1, biases.network.width(0)));
  two[1][bias] = "7";
  biases.extra["path"] = {{"vertices", two}};
  const lc::PathCheck bc = lc::check_path(biases, 256);
  CHECK(bc.segments[0].method == lc::SegmentMethod::FunctionPreserving);
  CHECK(bc.segments[0].verdict == lc::SegmentVerdict::Constant);
  biases.network.l2_scope = locus::L2Scope::All;
  CHECK(lc::check_path(biases, 256).segments[0].method == lc::SegmentMethod::BallDerivative);
  CHECK_THROWS_WITH_AS(lc::escape_path(g1, spec(1, 0, Rational(3, 2))),
                       doctest::Contains("must lie in (0, 1)"),
                       locus::InvalidArgument);
}

TEST_CASE("G7: a certified suboptimal local minimum of a width-10 >= N sigmoid network") {
  const locus::Problem g7 = lc::g7_counterexample(g1_refined(), 0);
  CHECK(g7.network.widths == std::vector<int>{1, 10, 1});
  CHECK(g7.network.num_parameters() == 31);
  CHECK(g7.data.size() == 9);
  CHECK(g7.certificate["witness_lower"] == true);
  // Re-checked from the problem alone: Morse–Bott with the 9-dimensional tangent basis.
  const auto c = locus::classify_point(g7, locus::parse_arithmetic("ball:512"));
  CHECK(c.kind == locus::PointKind::DegenerateMinimum);
  CHECK(c.inertia.negative == 0);
  CHECK(c.inertia.zero == 9);
  CHECK(c.certified);
  CHECK(c.stationarity == locus::Stationarity::ProvedNearby);
  // Without the manifold: the ten copies are merged back to G1, whose critical point Krawczyk
  // proves; the lift is a true critical point on a 9-dimensional manifold of critical points.
  locus::Problem bare = g7;
  bare.certificate.erase("tangent_basis");
  const auto b = locus::classify_point(bare, locus::parse_arithmetic("ball:512"));
  CHECK(b.kind == locus::PointKind::DegenerateMinimum);
  CHECK(b.certificate["reduction"]["manifold_dimension"] == 9);
  // Copies 1e-300 apart: no reduction, and the basis is only a hypothesis: not certified.
  locus::Problem moved = g7;
  (*moved.point)(0) += locus::parse_rational("1e-300");
  const auto m = locus::classify_point(moved, locus::parse_arithmetic("ball:512"));
  CHECK_FALSE(m.certified);
  CHECK(m.kind != locus::PointKind::Saddle);
}

TEST_CASE("SI-1: the swap path through one spare unit keeps the loss exactly 0") {
  const locus::Problem p = lc::si1_swap_path();
  CHECK(locus::LossFunction<Rational>(p.network, p.data).loss(*p.point) == 0);
  const lc::PathCheck c = lc::check_path(p);
  REQUIRE(c.segments.size() == 7);
  for (const auto& s : c.segments) {
    CHECK(s.verdict == lc::SegmentVerdict::Constant);
    CHECK(s.method == lc::SegmentMethod::FunctionPreserving);
  }
  CHECK(c.end_loss == "0");
  // The end point is the start with units 0 and 1 swapped.
  std::vector<std::string> labels;
  const auto v = lc::path_vertices(p, &labels);
  const locus::Network& n = p.network;
  CHECK(v.back()(n.weight_index(1, 0, 0)) == v.front()(n.weight_index(1, 1, 0)));
  CHECK(v.back()(n.weight_index(2, 0, 1)) == v.front()(n.weight_index(2, 0, 0)));
  // Planted fault: a segment that moves a live unit's incoming row is not function-preserving,
  // and the exact check finds the loss increasing.
  locus::Problem bad = p;
  nlohmann::json verts = p.extra["path"]["vertices"];
  verts[1][static_cast<std::size_t>(n.weight_index(1, 0, 0))] = "3";
  bad.extra["path"]["vertices"] = verts;
  const lc::PathCheck b = lc::check_path(bad);
  CHECK(b.segments[0].method == lc::SegmentMethod::ExactPolynomial);
  CHECK(b.segments[0].verdict == lc::SegmentVerdict::Increasing);
}

TEST_CASE("CO-0 / G4 and WB-1: interpolating points and the growth table, exactly") {
  const locus::Problem gm = lc::global_minimum(load("examples/constructions/g4_base.json"),
                                               locus::parse_arithmetic("ball:256"));
  CHECK(gm.certificate["rank_J"] == 5);
  CHECK(gm.certificate["hessian_inertia"]["zero"] == 28);  // [2,8,1], N = 5: 33 − 5
  CHECK(gm.certificate["prediction_holds"] == true);
  CHECK(gm.certificate["wb1"]["bound"].get<long>() <= 28);
  const auto rows = lc::growth_table({2, 3}, {4, 5}, 3, 0);
  for (const auto& r : rows) {
    CAPTURE(r.width);
    CAPTURE(r.layers);
    CHECK(r.global_min_nullity == r.P - 3);
    CHECK(r.star_nullity == r.star_predicted);
    CHECK(r.c_nullity == r.P);
    CHECK(r.global_min_nullity >= r.wb1_at_global_min);
  }
  CHECK_THROWS_AS(lc::growth_table({2}, {3}, 3, 0), locus::InvalidArgument);
}

TEST_CASE("SB-a: the rank bounds of G, proved, and cross-checked against double and J") {
  locus::Network net;
  net.widths = {2, 6, 3};
  net.activation = locus::Activation::relu();
  net.loss = locus::LossKind::CrossEntropy;
  net.reduction = locus::Reduction::Mean;
  locus::BlobsOptions b;
  b.num_classes = 3;
  b.num_samples = 20;
  b.seed = 5;
  const locus::Dataset data = locus::make_blobs(b).train;
  const Vec<Rational> tq = locus::random_point(net, 7, 1.0);
  Vec<double> theta(tq.size());
  for (Eigen::Index i = 0; i < tq.size(); ++i) theta(i) = locus::to_double_nearest(tq(i));
  for (const int n : {2, 3, 5}) {
    CAPTURE(n);
    const lr::RankBoundRow ce = lr::sb_a_rank(net, data, theta, n);
    CHECK(ce.bound == 2L * n);
    CHECK(ce.pass);
    REQUIRE(ce.rank_lower >= 0);  // decided in balls
    CHECK(ce.rank_lower == ce.rank_upper);
    // Independent: the numerical rank of G in double, with a tolerance from the scalar's traits.
    locus::Dataset d;
    d.inputs = data.inputs.topRows(n);
    d.targets = data.targets.topRows(n);
    const Mat<double> g =
        locus::LossFunction<double>(net, d).hessian(theta, locus::HessianPart::GaussNewton);
    const Eigen::VectorXd ev = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(g).eigenvalues();
    const double tol = std::sqrt(std::numeric_limits<double>::epsilon()) * ev.cwiseAbs().maxCoeff();
    CHECK(static_cast<long>((ev.array().abs() > tol).count()) == ce.rank_upper);
    // Squared loss: rank G = rank J (G = JᵀJ/N), both exact over Q.
    locus::Network mse = net;
    mse.loss = locus::LossKind::Squared;
    const lr::RankBoundRow r = lr::sb_a_rank(mse, data, theta, n);
    CHECK(r.bound == 3L * n);
    CHECK(r.pass);
    const Mat<Rational> j = locus::LossFunction<Rational>(mse, d).output_jacobian(tq);
    CHECK(r.rank_upper == static_cast<long>(locus::exact_rank(j)));
    const lr::RankBoundRow in = lr::sb_a_rank(mse, data, theta, n, true);
    CHECK(in.pass);
    CHECK(in.rank_upper == r.rank_upper);  // at an interpolating point ∇²L = G
  }
  locus::Network smooth = net;
  smooth.activation = locus::Activation::tanh();
  CHECK_THROWS_AS(lr::sb_a_rank(smooth, data, theta, 3), locus::InvalidArgument);
  CHECK_THROWS_AS(lr::sb_a_rank(net, data, theta, 0), locus::InvalidArgument);
  CHECK_THROWS_AS(lr::sb_a_rank(net, data, theta.head(3), 3), locus::InvalidArgument);
}

TEST_CASE("R8: κ_tot = κ_G + κ_H, against the full Hessian; linear least squares has κ_H = 0") {
  locus::Network net;
  net.widths = {3, 5, 2};
  net.activation = locus::Activation::tanh();
  net.loss = locus::LossKind::Squared;
  net.reduction = locus::Reduction::Mean;
  locus::BlobsOptions b;
  b.input_dim = 3;
  b.num_samples = 12;
  const locus::Dataset data = locus::make_blobs(b).train;
  const Vec<double> theta = lr::fan_in_init(net, 3);
  const locus::LossFunction<double> f(net, data);
  const lr::GradientCurvature c = lr::gradient_curvature(f, theta);
  const Vec<double> u = f.gradient(theta).normalized();
  const double eps = std::numeric_limits<double>::epsilon();
  const double full = u.dot(f.hessian(theta) * u);
  const double gn = u.dot(f.hessian(theta, locus::HessianPart::GaussNewton) * u);
  CHECK(std::abs(c.kappa_tot - full) <= 64 * eps * std::abs(full));
  CHECK(std::abs(c.kappa_g - gn) <= 64 * eps * std::abs(gn));
  CHECK(std::abs(c.kappa_h - (full - gn)) <= 64 * eps * (std::abs(full) + std::abs(gn)));
  locus::Network lin = net;
  lin.widths = {3, 2};
  lin.activation = locus::Activation::identity();
  const locus::LossFunction<double> fl(lin, data);
  const lr::GradientCurvature cl = lr::gradient_curvature(fl, lr::fan_in_init(lin, 4));
  CHECK(std::abs(cl.kappa_h) <= 64 * eps * cl.kappa_g);
  CHECK(cl.kappa_g > 0);
}

TEST_CASE("wider class: a split keeps the function of a mixed network; hypotheses name the layer") {
  locus::Problem p;
  p.network.widths = {2, 3, 2, 1};
  p.network.activations = {locus::Activation::gelu(), locus::Activation::tanh()};
  p.network.activation = p.network.activations.front();
  p.network.biases = {true, false, true};
  p.data.inputs = Mat<Rational>(3, 2);
  p.data.inputs << 1, 2, Rational(-1, 2), 3, Rational(1, 3), -1;
  p.data.targets = Mat<Rational>(3, 1);
  p.data.targets << 1, 0, Rational(1, 2);
  Vec<Rational> theta(p.network.num_parameters());
  for (Eigen::Index k = 0; k < theta.size(); ++k)
    theta(k) = Rational(static_cast<long>(k % 7) - 3, 5);
  p.point = theta;
  for (const int layer : {1, 2}) {
    CAPTURE(layer);
    const locus::Problem big = lc::split_problem(p, spec(layer, 1, Rational(1, 3)));
    CHECK(big.network.activation_at(layer) == p.network.activation_at(layer));
    CHECK(big.network.has_bias(2) == false);
    const locus::ScopedBallPrecision precision(128);
    const Mat<locus::Ball> a =
        locus::LossFunction<locus::Ball>(p.network, p.data).outputs(p.point_as<locus::Ball>());
    const Mat<locus::Ball> b = locus::LossFunction<locus::Ball>(big.network, big.data)
                                   .outputs(big.point_as<locus::Ball>());
    for (Eigen::Index i = 0; i < a.rows(); ++i) CHECK(locus::overlaps(a(i, 0), b(i, 0)));
  }
  locus::Problem l2 = p;
  l2.network.l2 = Rational(1, 100);
  CHECK_THROWS_WITH_AS(lc::split_problem(l2, spec(1, 0, Rational(1, 2))),
                       doctest::Contains("L2 term 1/100"),
                       locus::InvalidArgument);
  locus::Problem star = p;
  star.network.biases = {false, false, false};
  star.network.activations = {locus::Activation::tanh(), locus::Activation::softplus()};
  CHECK_THROWS_WITH_AS(lc::star_problem(star, {1, 2}),
                       doctest::Contains("softplus of hidden layer 2"),
                       locus::InvalidArgument);
  star.network.biases = {false, true, false};
  CHECK_THROWS_WITH_AS(lc::star_problem(star, {1, 2}),
                       doctest::Contains("layer 2 has a bias"),
                       locus::InvalidArgument);
}
