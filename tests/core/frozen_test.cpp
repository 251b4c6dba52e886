// Frozen parameters (docs/math/frozen.md): the loss of the free parameters against the full
// network's derivatives restricted to the free rows and columns (exact over Q, identical in
// double), the problem-file form and its errors, and the symmetries that survive freezing.
#include "locus/core/frozen.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/solve/certificate.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/symmetry.hpp"

using locus::Activation;
using locus::Dataset;
using locus::FrozenParameter;
using locus::LossFunction;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::Vec;

namespace {

// [2, 3, 2] with a cubic polynomial activation (exact over Q), biases, the squared loss and an L2
// term; five samples with small exact rationals.
struct Case {
  Network all;     // nothing frozen
  Network frozen;  // the same network with some parameters frozen
  Dataset data;
  Vec<Rational> theta_all;  // the frozen entries at their values
  Vec<Rational> theta;      // the free entries
};

Case make_case(std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> d(-9, 9);
  const auto q = [&] { return Rational(d(rng), 7); };
  Case c;
  c.all.widths = {2, 3, 2};
  c.all.activation =
      Activation::polynomial({Rational(0), Rational(1), Rational(1, 3), Rational(-1, 5)});
  c.all.l2 = Rational(1, 100);
  c.data = Dataset(Mat<Rational>(5, 2), Mat<Rational>(5, 2));
  for (Eigen::Index i = 0; i < 5; ++i) {
    for (Eigen::Index j = 0; j < 2; ++j) {
      c.data.inputs(i, j) = q();
      c.data.targets(i, j) = q();
    }
  }
  const auto P = static_cast<Eigen::Index>(c.all.num_parameters());
  c.theta_all = Vec<Rational>(P);
  for (Eigen::Index i = 0; i < P; ++i) c.theta_all(i) = q();
  c.frozen = c.all;
  // W_1[0, 1], b_1[2] and all of W_2's second row
  for (const auto k : {c.all.weight_index(1, 0, 1),
                       c.all.bias_index(1, 2),
                       c.all.weight_index(2, 1, 0),
                       c.all.weight_index(2, 1, 1),
                       c.all.weight_index(2, 1, 2)}) {
    c.frozen.frozen.push_back({k, c.theta_all(k)});
  }
  const auto free = c.frozen.free_indices();
  c.theta = Vec<Rational>(static_cast<Eigen::Index>(free.size()));
  for (std::size_t k = 0; k < free.size(); ++k) {
    c.theta(static_cast<Eigen::Index>(k)) = c.theta_all(free[k]);
  }
  return c;
}

template <class S>
Vec<S> restrict_rows(const Vec<S>& v, const std::vector<std::ptrdiff_t>& free) {
  Vec<S> out(static_cast<Eigen::Index>(free.size()));
  for (std::size_t k = 0; k < free.size(); ++k) out(static_cast<Eigen::Index>(k)) = v(free[k]);
  return out;
}

}  // namespace

TEST_CASE("frozen: the free loss is the full loss restricted, exactly over Q") {
  for (const std::uint32_t seed : {1u, 2u, 3u}) {
    const Case c = make_case(seed);
    const auto free = c.frozen.free_indices();
    REQUIRE(c.frozen.num_parameters() == c.all.num_parameters() - 5);
    REQUIRE(c.frozen.num_layout_parameters() == c.all.num_parameters());
    const LossFunction<Rational> full(c.all, c.data);
    const LossFunction<Rational> part(c.frozen, c.data);
    CHECK(part.num_parameters() == c.frozen.num_parameters());
    CHECK(part.loss(c.theta) == full.loss(c.theta_all));
    CHECK(part.gradient(c.theta) == restrict_rows(full.gradient(c.theta_all), free));
    const Mat<Rational> h = full.hessian(c.theta_all);
    const Mat<Rational> hp = part.hessian(c.theta);
    REQUIRE(hp.rows() == static_cast<Eigen::Index>(free.size()));
    bool same = true;
    for (std::size_t i = 0; i < free.size(); ++i) {
      for (std::size_t j = 0; j < free.size(); ++j) {
        same = same && hp(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) ==
                           h(free[i], free[j]);
      }
    }
    CHECK(same);
    // a direction: zero at the frozen entries in θ_all
    Vec<Rational> v(static_cast<Eigen::Index>(free.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) v(i) = Rational(static_cast<long>(i % 5) - 2, 3);
    const Vec<Rational> v_all = locus::expand_free<Rational>(c.frozen, v, true);
    CHECK(part.hessian_vector_product(c.theta, v) == restrict_rows<Rational>(h * v_all, free));
    CHECK(part.third_derivative(c.theta, v) == full.third_derivative(c.theta_all, v_all));
    const Mat<Rational> j_all = full.output_jacobian(c.theta_all);
    const Mat<Rational> j = part.output_jacobian(c.theta);
    REQUIRE(j.cols() == static_cast<Eigen::Index>(free.size()));
    for (std::size_t k = 0; k < free.size(); ++k) {
      CHECK(j.col(static_cast<Eigen::Index>(k)) == j_all.col(free[k]));
    }
    CHECK(part.outputs(c.theta) == full.outputs(c.theta_all));
    CHECK(locus::expand_free<Rational>(c.frozen, c.theta) == c.theta_all);
  }
}

TEST_CASE("frozen: double gives the full network's numbers at the free entries") {
  const Case c = make_case(7);
  const auto free = c.frozen.free_indices();
  const LossFunction<double> full(c.all, c.data);
  const LossFunction<double> part(c.frozen, c.data);
  const Vec<double> ta = locus::convert_matrix<double>(Mat<Rational>(c.theta_all));
  const Vec<double> t = locus::convert_matrix<double>(Mat<Rational>(c.theta));
  CHECK(part.loss(t) == full.loss(ta));
  CHECK(part.gradient(t) == restrict_rows(full.gradient(ta), free));
}

TEST_CASE("frozen: wrong lengths and layout indexing are refused") {
  const Case c = make_case(4);
  const LossFunction<double> part(c.frozen, c.data);
  CHECK_THROWS_AS((void)part.loss(Vec<double>::Zero(c.frozen.num_layout_parameters())),
                  locus::InvalidArgument);
  CHECK_THROWS_WITH_AS((void)c.frozen.weight_index(1, 0, 0),
                       doctest::Contains("does not support frozen parameters"),
                       locus::InvalidArgument);
  CHECK_NOTHROW((void)c.frozen.layout().weight_index(1, 0, 0));
  Network twice = c.frozen;
  twice.frozen.push_back(twice.frozen.back());
  CHECK_THROWS_WITH_AS(twice.validate(), doctest::Contains("frozen twice"), locus::InvalidArgument);
  Network outside = c.all;
  outside.frozen.push_back({outside.num_parameters(), Rational(0)});
  CHECK_THROWS_WITH_AS(outside.validate(), doctest::Contains("outside"), locus::InvalidArgument);
  Network every = c.all;
  for (std::ptrdiff_t k = 0; k < every.num_layout_parameters(); ++k) {
    every.frozen.push_back({k, Rational(0)});
  }
  CHECK_THROWS_WITH_AS(
      every.validate(), doctest::Contains("at least one free"), locus::InvalidArgument);
}

TEST_CASE("frozen: problem files, both point forms, round trip and errors") {
  const std::string head = R"({"format": "locus-problem/1",
    "network": {"widths": [2, 2, 1], "activation": "relu", "bias": false, "loss": "squared",
                "frozen": [{"layer": 2, "part": "weights", "value": "1"},
                           {"index": 0, "value": "1/2"}]},
    "data": {"inputs": [[1, 2], [3, -1]], "targets": [[1], [0]]},)";
  const locus::Problem all = locus::parse_problem(head + R"("point": ["1/2", 3, -1, 2, 1, 1]})");
  REQUIRE(all.network.frozen.size() == 3);
  CHECK(all.network.num_parameters() == 3);
  REQUIRE(all.point->size() == 3);
  CHECK((*all.point)(0) == 3);
  CHECK((*all.point)(2) == 2);
  const locus::Problem free = locus::parse_problem(head + R"("point": [3, -1, 2]})");
  CHECK(*free.point == *all.point);
  const locus::Problem back = locus::parse_problem(locus::problem_to_json(all).dump());
  CHECK(back.network == all.network);
  CHECK(*back.point == *all.point);
  CHECK(locus::problem_to_json(all)["point"].size() == 6);
  CHECK_THROWS_WITH_AS(locus::parse_problem(head + R"("point": ["1/2", 3, -1, 2, 1, 2]})"),
                       doctest::Contains("point[5]"),
                       locus::ParseError);
  CHECK_THROWS_WITH_AS(locus::parse_problem(head + R"("point": [3, -1]})"),
                       doctest::Contains("the free parameters"),
                       locus::ParseError);
  const auto with_frozen = [](const std::string& frozen) {
    return R"({"format": "locus-problem/1", "network": {"widths": [2, 2, 1], "activation":
      "relu", "bias": false, "loss": "squared", "frozen": )" +
           frozen + R"(}, "data": {"inputs": [[1, 2]], "targets": [[1]]}})";
  };
  CHECK_THROWS_WITH_AS(
      locus::parse_problem(with_frozen(R"([{"index": 1, "value": 0}, {"index": 1, "value": 0}])")),
      doctest::Contains("frozen twice"),
      locus::ParseError);
  CHECK_THROWS_WITH_AS(locus::parse_problem(with_frozen(R"([{"index": 6, "value": 0}])")),
                       doctest::Contains("network.frozen[0].index"),
                       locus::ParseError);
  CHECK_THROWS_WITH_AS(
      locus::parse_problem(with_frozen(R"([{"layer": 1, "part": "biases", "value": 0}])")),
      doctest::Contains("no biases"),
      locus::ParseError);
  CHECK_THROWS_WITH_AS(
      locus::parse_problem(with_frozen(R"([{"layer": 3, "part": "weights", "value": 0}])")),
      doctest::Contains("network.frozen[0].layer"),
      locus::ParseError);
  CHECK_THROWS_WITH_AS(locus::parse_problem(with_frozen(R"([{"index": 1}])")),
                       doctest::Contains("value"),
                       locus::ParseError);
}

TEST_CASE("frozen: the rescaling symmetry survives a unit's outgoing weight frozen at 0 only") {
  Network net;
  net.widths = {2, 2, 1};
  net.activation = Activation::relu();
  net.bias = false;
  const Vec<Rational> theta_all = (Vec<Rational>(6) << 1, 2, -1, 3, Rational(1, 2), 2).finished();
  CHECK(locus::symmetry_fields<Rational>(net, theta_all).cols() == 2);
  Network one = net;
  one.frozen = {{4, Rational(1)}, {5, Rational(1)}};
  CHECK(locus::symmetry_fields<Rational>(one, Vec<Rational>(theta_all.head(4))).cols() == 0);
  CHECK_FALSE(locus::has_continuous_symmetry(one));
  Network zero = net;
  zero.frozen = {{5, Rational(0)}};  // unit 1's outgoing weight at 0: its rescaling keeps it
  const Vec<Rational> t = theta_all.head(5);
  const Mat<Rational> v = locus::symmetry_fields<Rational>(zero, t);
  REQUIRE(v.cols() == 2);  // unit 0 touches nothing frozen; unit 1's frozen weight stays 0
  // unit 0: its row (θ_0, θ_1) up, its free outgoing weight θ_4 down
  CHECK(v(0, 0) == 1);
  CHECK(v(4, 0) == Rational(-1, 2));
  // unit 1: its incoming row (entries 2, 3 of θ_all = entries 2, 3 of θ), nothing else
  CHECK(v(2, 1) == -1);
  CHECK(v(3, 1) == 3);
  CHECK(v(4, 1) == 0);
  CHECK(locus::has_continuous_symmetry(zero));
  // and the loss is invariant along both (gradient orthogonal to the fields)
  const Dataset data((Mat<Rational>(3, 2) << 1, 2, -1, 1, 2, -3).finished(),
                     (Mat<Rational>(3, 1) << 1, 0, 2).finished());
  const LossFunction<Rational> f(zero, data);
  CHECK(f.gradient(t).dot(v.col(0)) == 0);
  CHECK(f.gradient(t).dot(v.col(1)) == 0);
}

TEST_CASE(
    "frozen: no locus-certificate/1 for frozen parameters (the checker has no form for them)") {
  const Case c = make_case(41);
  locus::Problem frozen{c.frozen, c.data, c.theta, {}, {}, {}};
  locus::Problem all{c.all, c.data, c.theta_all, {}, {}, {}};
  const auto why = locus::certificate_unsupported(frozen);
  REQUIRE(why.has_value());
  CHECK(why->find("network.frozen") != std::string::npos);
  CHECK_THROWS_AS(static_cast<void>(locus::certificate_problem(frozen)), locus::InvalidArgument);
  CHECK_FALSE(locus::certificate_unsupported(all).has_value());
  CHECK(locus::certificate_problem(all).contains("point"));
  // the classification certificate says why instead of writing one
  locus::Classification k;
  k.certified = true;
  std::string note;
  CHECK_FALSE(locus::classification_certificate(frozen, k, &note).has_value());
  CHECK(note == *why);
}
