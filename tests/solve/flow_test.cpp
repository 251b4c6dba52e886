// The gradient flow (solve/flow.hpp): convergence to a known minimum, monotone loss, budgets said
// plainly, the divergent flow of cross-entropy on separable data, and bad input.
#include "locus/solve/flow.hpp"

#include <doctest/doctest.h>

using locus::Activation;
using locus::Dataset;
using locus::FlowOptions;
using locus::FlowStatus;
using locus::LossKind;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::Vec;

TEST_SUITE("solve.flow") {
  TEST_CASE("flow: linear least squares flows to the normal-equation solution") {
    Network net;
    net.widths = {2, 1};
    Dataset data;
    data.inputs = Mat<Rational>(4, 2);
    data.inputs << 1, 2, -1, 1, 3, 0, Rational(1, 2), -2;
    data.targets = Mat<Rational>(4, 1);
    data.targets << 1, 0, 2, -1;
    // the exact minimiser: [X 1]ᵀ[X 1] θ = [X 1]ᵀ y
    Mat<Rational> a(4, 3);
    a << data.inputs, Mat<Rational>::Ones(4, 1);
    const Vec<Rational> exact =
        (a.transpose() * a).fullPivLu().solve(Vec<Rational>(a.transpose() * data.targets));
    FlowOptions o;
    o.target_gradient = 1e-11;
    const auto r = locus::gradient_flow(net, data, Vec<double>::Zero(3), o);
    CHECK(r.status == FlowStatus::Converged);
    CHECK(r.end.gradient_norm <= 1e-11);
    for (Eigen::Index k = 0; k < 3; ++k) {
      CHECK(r.theta(k) ==
            doctest::Approx(locus::ScalarTraits<Rational>::to_double(exact(k))).epsilon(1e-9));
    }
    CHECK(r.jacobian_evaluations >= 1);
    CHECK(r.history.front().time == 0);
    CHECK(r.history.back().gradient_norm == r.end.gradient_norm);
  }

  TEST_CASE("flow: the loss never increases along a tanh network's flow") {
    Network net;
    net.widths = {1, 3, 1};
    net.activation = Activation::tanh();
    Dataset data;
    data.inputs = Mat<Rational>(5, 1);
    data.inputs << -2, -1, 0, 1, 2;
    data.targets = Mat<Rational>(5, 1);
    data.targets << 1, 0, Rational(1, 2), 0, 1;
    Vec<double> theta0(net.num_parameters());
    for (Eigen::Index k = 0; k < theta0.size(); ++k)
      theta0(k) = 0.3 * static_cast<double>(k % 4) - 0.4;
    FlowOptions o;
    o.target_gradient = 1e-8;
    const auto r = locus::gradient_flow(net, data, theta0, o);
    CHECK(r.status == FlowStatus::Converged);
    for (std::size_t i = 1; i < r.history.size(); ++i) {
      CHECK(r.history[i].loss <= r.history[i - 1].loss * (1 + 1e-12) + 1e-15);
    }
    CHECK(r.end.loss < r.start.loss);
  }

  TEST_CASE("flow: budgets are reported as budgets") {
    Network net;
    net.widths = {1, 3, 1};
    net.activation = Activation::tanh();
    Dataset data;
    data.inputs = Mat<Rational>::Constant(3, 1, Rational(1));
    data.inputs(1, 0) = -1;
    data.targets = Mat<Rational>::Constant(3, 1, Rational(1, 3));
    Vec<double> theta0 = Vec<double>::Constant(net.num_parameters(), 0.5);
    FlowOptions o;
    o.target_gradient = 1e-300;
    o.max_steps = 3;
    const auto r = locus::gradient_flow(net, data, theta0, o);
    CHECK(r.status == FlowStatus::StepBudget);
    CHECK(locus::to_string(r.status) == "step-budget");
    CHECK(r.end.steps == 3);
    o.max_steps = 100000;
    o.max_time = 1e-3;
    CHECK(locus::gradient_flow(net, data, theta0, o).status == FlowStatus::TimeBudget);
  }

  TEST_CASE("flow: cross-entropy on separable data runs away (no critical point to reach)") {
    Network net;
    net.widths = {1, 2};
    net.loss = LossKind::CrossEntropy;
    Dataset data;
    data.inputs = Mat<Rational>(2, 1);
    data.inputs << -1, 1;
    data.targets = Mat<Rational>(2, 2);
    data.targets << 1, 0, 0, 1;
    FlowOptions o;
    o.target_gradient = 1e-300;
    o.max_time = 1e8;
    const auto r = locus::gradient_flow(net, data, Vec<double>::Zero(4), o);
    CHECK(r.status == FlowStatus::TimeBudget);
    CHECK(r.end.theta_norm > 10 * (r.start.theta_norm + 1));
    CHECK(r.end.loss < 1e-6);
    CHECK(r.end.gradient_norm > 0);
    // The last stretch: ‖θ‖ grows like log t, the output units' rows grow, L -> 0.
    const auto d = locus::analyse_divergence(net, data, r);
    CAPTURE(d.reason);
    CHECK(d.diverging);
    CHECK(d.logarithmic);
    CHECK(d.growth_exponent < 0.15);
    CHECK(d.growth_per_log_time > 0);
    CHECK(d.loss_limit_estimate >= 0);
    CHECK(d.loss_limit_estimate <= r.end.loss);
    REQUIRE(!d.units.empty());
    CHECK(d.units.front().layer == 1);
    CHECK(d.units.front().saturated == -1);  // the output layer has no σ
  }

  TEST_CASE("flow: a flow that converges is not called diverging") {
    Network net;
    net.widths = {2, 1};
    Dataset data;
    data.inputs = Mat<Rational>(3, 2);
    data.inputs << 1, 0, 0, 1, 1, 1;
    data.targets = Mat<Rational>(3, 1);
    data.targets << 1, 2, 3;
    FlowOptions o;
    o.target_gradient = 1e-10;
    const auto r = locus::gradient_flow(net, data, Vec<double>::Zero(3), o);
    REQUIRE(r.status == FlowStatus::Converged);
    const auto d = locus::analyse_divergence(net, data, r);
    CHECK_FALSE(d.diverging);
    CHECK_FALSE(d.reason.empty());
  }

  TEST_CASE("flow: bad input names the value") {
    Network net;
    net.widths = {1, 1};
    Dataset data;
    data.inputs = Mat<Rational>::Constant(1, 1, Rational(1));
    data.targets = Mat<Rational>::Constant(1, 1, Rational(1));
    CHECK_THROWS_WITH_AS((void)locus::gradient_flow(net, data, Vec<double>::Zero(3)),
                         doctest::Contains("expected P = 2"),
                         locus::InvalidArgument);
    Vec<double> nan = Vec<double>::Zero(2);
    nan(0) = std::nan("");
    CHECK_THROWS_AS((void)locus::gradient_flow(net, data, nan), locus::InvalidArgument);
    FlowOptions o;
    o.target_gradient = 0;
    CHECK_THROWS_AS((void)locus::gradient_flow(net, data, Vec<double>::Zero(2), o),
                    locus::InvalidArgument);
  }
}
