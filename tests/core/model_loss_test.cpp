// Losses of the wider model class: mixed activations, per-layer biases, binary cross-entropy and
// an exact L2 term, checked against MPFR-512 central differences, exact identities over Q (the
// G + H split, the L2 Hessian), balls and the problem-file contract.
#include <doctest/doctest.h>

#include "support/scalar_lists.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/parse.hpp"

using locus::Activation;
using locus::Ball;
using locus::Dataset;
using locus::HessianPart;
using locus::L2Scope;
using locus::LossFunction;
using locus::LossKind;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::Reduction;
using locus::Vec;

namespace {

using M512 = locus::Mpfr512;

struct Case {
  Network net;
  Dataset data;
  Vec<Rational> theta;
};

Case make_case(std::uint64_t seed,
               std::vector<int> widths,
               std::vector<Activation> acts,
               std::vector<bool> biases,
               LossKind loss,
               Reduction red,
               Rational l2,
               L2Scope scope,
               int n = 3) {
  auto g = locus::test::rng(seed);
  Case c;
  c.net.widths = std::move(widths);
  c.net.activations = std::move(acts);
  c.net.activation = c.net.activations.front();
  c.net.biases = std::move(biases);
  c.net.bias = c.net.biases.front();
  c.net.loss = loss;
  c.net.reduction = red;
  c.net.l2 = l2;
  c.net.l2_scope = scope;
  c.net.validate();
  const int n0 = c.net.width(0), nl = c.net.width(c.net.num_layers());
  c.data.inputs.resize(n, n0);
  c.data.targets.resize(n, nl);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < n0; ++k) c.data.inputs(i, k) = locus::test::random_rational(g, 20, 7);
    if (loss == LossKind::CrossEntropy) {
      for (int k = 0; k < nl; ++k) c.data.targets(i, k) = Rational(k == i % nl ? 1 : 0);
    } else if (loss == LossKind::BinaryCrossEntropy) {
      for (int k = 0; k < nl; ++k) {
        c.data.targets(i, k) = Rational(std::uniform_int_distribution<int>(0, 4)(g), 4);
      }
    } else {
      for (int k = 0; k < nl; ++k) c.data.targets(i, k) = locus::test::random_rational(g, 20, 9);
    }
  }
  c.theta.resize(c.net.num_parameters());
  for (Eigen::Index a = 0; a < c.theta.size(); ++a) {
    c.theta(a) = locus::test::random_rational(g, 12, 11);
  }
  return c;
}

std::vector<Case> cases() {
  return {
      make_case(41001,
                {2, 3, 2, 2},
                {Activation::gelu(), Activation::silu()},
                {true, false, true},
                LossKind::BinaryCrossEntropy,
                Reduction::Mean,
                Rational(3, 100),
                L2Scope::All),
      make_case(41002,
                {2, 3, 3, 2},
                {Activation::erf(), Activation::leaky_relu(Rational(1, 10))},
                {false, true, true},
                LossKind::CrossEntropy,
                Reduction::Sum,
                Rational(1, 7),
                L2Scope::Weights),
      make_case(41003,
                {2, 2, 3, 1},
                {Activation::gelu_tanh(), Activation::elu(Rational(1, 2))},
                {true, true, false},
                LossKind::Squared,
                Reduction::Sum,
                Rational(0),
                L2Scope::All),
      make_case(41004,
                {2, 3, 2},
                {Activation::softplus(Rational(2))},
                {true, true},
                LossKind::BinaryCrossEntropy,
                Reduction::Sum,
                Rational(1, 20),
                L2Scope::Weights),
      make_case(41005,
                {3, 2, 2, 2},
                {Activation::sigmoid(), Activation::tanh()},
                {true, true, true},
                LossKind::Squared,
                Reduction::Mean,
                Rational(1, 1000),
                L2Scope::All),
  };
}

template <class S>
Vec<S> to(const Vec<Rational>& v) {
  return locus::convert_matrix<S>(Mat<Rational>(v));
}

}  // namespace

TEST_SUITE("core.model_class") {
  TEST_CASE("wider class: gradient, Hessian and D³L match MPFR-512 central differences") {
    const M512 h = locus::parse_scalar<M512>("1e-45");
    const M512 tol = locus::parse_scalar<M512>("1e-60");
    int checked = 0;
    for (const Case& c : cases()) {
      CAPTURE(c.net.describe());
      const LossFunction<M512> fn(c.net, c.data);
      const Vec<M512> theta = to<M512>(c.theta);
      const Vec<M512> grad = fn.gradient(theta);
      const Mat<M512> hess = fn.hessian(theta);
      using std::abs;
      M512 scale(1);
      for (Eigen::Index a = 0; a < hess.size(); ++a) {
        if (scale < abs(hess.data()[a])) scale = abs(hess.data()[a]);
      }
      for (Eigen::Index a = 0; a < theta.size(); ++a) {
        Vec<M512> tp = theta, tm = theta;
        tp(a) += h;
        tm(a) -= h;
        const M512 fd = (fn.loss(tp) - fn.loss(tm)) / (2 * h);
        CHECK(static_cast<bool>(abs(fd - grad(a)) <= tol * (abs(grad(a)) + 1)));
        const Vec<M512> col = (fn.gradient(tp) - fn.gradient(tm)) / (2 * h);
        CHECK(static_cast<bool>((col - hess.col(a)).cwiseAbs().maxCoeff() <= tol * scale));
      }
      // HVP = H v, and D³L[u,u,u] = d/dt uᵀ∇²L(θ + t u)u
      Vec<M512> u(theta.size());
      for (Eigen::Index a = 0; a < u.size(); ++a) u(a) = M512(static_cast<int>(a % 5) - 2) / 3;
      const Vec<M512> hv = fn.hessian_vector_product(theta, u);
      CHECK(static_cast<bool>((hv - hess * u).cwiseAbs().maxCoeff() <= tol * scale * 10));
      const M512 d3 = fn.third_derivative(theta, u);
      const M512 qp = u.dot(fn.hessian_vector_product(Vec<M512>(theta + h * u), u));
      const M512 qm = u.dot(fn.hessian_vector_product(Vec<M512>(theta - h * u), u));
      CHECK(static_cast<bool>(abs((qp - qm) / (2 * h) - d3) <= tol * (abs(d3) + scale)));
      ++checked;
    }
    CHECK(checked == 5);
  }

  TEST_CASE("wider class: ∇²L = G + H exactly over Q, the L2 Hessian 2c·I sits in G") {
    Case c = make_case(41010,
                       {2, 3, 2, 2},
                       {Activation::leaky_relu(Rational(1, 10)), Activation::identity()},
                       {true, false, true},
                       LossKind::Squared,
                       Reduction::Mean,
                       Rational(1, 7),
                       L2Scope::Weights);
    const LossFunction<Rational> fn(c.net, c.data);
    const Mat<Rational> full = fn.hessian(c.theta);
    const Mat<Rational> gn = fn.hessian(c.theta, HessianPart::GaussNewton);
    const Mat<Rational> res = fn.hessian(c.theta, HessianPart::Residual);
    CHECK(full == gn + res);
    Network plain = c.net;
    plain.l2 = 0;
    const LossFunction<Rational> fp(plain, c.data);
    const Mat<Rational> diff = gn - fp.hessian(c.theta, HessianPart::GaussNewton);
    int weights = 0;
    for (Eigen::Index k = 0; k < diff.rows(); ++k) {
      const bool in = c.net.in_l2_scope(k);
      weights += in ? 1 : 0;
      CHECK(diff(k, k) == (in ? Rational(2, 7) : Rational(0)));
      for (Eigen::Index j = 0; j < diff.cols(); ++j) {
        if (j != k) CHECK(diff(k, j) == 0);
      }
    }
    CHECK(weights == 2 * 3 + 3 * 2 + 2 * 2);
    CHECK(res == fp.hessian(c.theta, HessianPart::Residual));
    // the loss and gradient gain c·Σ_W θ² and 2c·θ_W exactly
    Rational sum(0);
    for (Eigen::Index k = 0; k < c.theta.size(); ++k) {
      if (c.net.in_l2_scope(k)) sum += c.theta(k) * c.theta(k);
    }
    CHECK(fn.loss(c.theta) == fp.loss(c.theta) + Rational(1, 7) * sum);
    const Vec<Rational> dg = fn.gradient(c.theta) - fp.gradient(c.theta);
    for (Eigen::Index k = 0; k < dg.size(); ++k) {
      CHECK(dg(k) == (c.net.in_l2_scope(k) ? Rational(2, 7) * c.theta(k) : Rational(0)));
    }
  }

  TEST_CASE("wider class: 256-bit balls contain the MPFR-512 loss, gradient and Hessian") {
    const locus::ScopedBallPrecision precision(256);
    for (const Case& c : cases()) {
      CAPTURE(c.net.describe());
      const LossFunction<M512> fm(c.net, c.data);
      const LossFunction<Ball> fb(c.net, c.data);
      const Vec<M512> tm = to<M512>(c.theta);
      const Vec<Ball> tb = to<Ball>(c.theta);
      using T = locus::ScalarTraits<M512>;
      CHECK(contains(fb.loss(tb), T::to_rational(fm.loss(tm))));
      const Vec<M512> gm = fm.gradient(tm);
      const Vec<Ball> gb = fb.gradient(tb);
      for (Eigen::Index a = 0; a < gm.size(); ++a) CHECK(contains(gb(a), T::to_rational(gm(a))));
      const Mat<M512> hm = fm.hessian(tm);
      const Mat<Ball> hb = fb.hessian(tb);
      for (Eigen::Index a = 0; a < hm.size(); ++a) {
        CHECK(contains(hb.data()[a], T::to_rational(hm.data()[a])));
      }
    }
  }

  TEST_CASE("wider class: per-layer lists that are uniform mean the locus-problem/1 network") {
    Network a;
    a.widths = {2, 3, 3, 1};
    a.activation = Activation::tanh();
    Network b = a;
    b.activations = {Activation::tanh(), Activation::tanh()};
    b.biases = {true, true, true};
    CHECK(a.num_parameters() == b.num_parameters());
    b.canonicalize();
    CHECK(a == b);
    Network mixed = a;
    mixed.biases = {false, true, false};
    CHECK(mixed.num_parameters() == 2 * 3 + 3 * 3 + 3 + 3 * 1);
    CHECK(mixed.input_columns(1) == 2);
    CHECK(mixed.input_columns(2) == 4);
    CHECK(mixed.bias_index(2, 0) == mixed.layer_offset(2) + 9);
    CHECK(mixed.describe().find("bias [0, 1, 0]") != std::string::npos);
  }

  TEST_CASE("wider class: bad networks name the field and the expectation") {
    Network n;
    n.widths = {2, 3, 3, 1};
    n.activations = {Activation::tanh()};
    CHECK_THROWS_WITH_AS(n.validate(),
                         doctest::Contains("expected one per hidden layer (2"),
                         locus::InvalidArgument);
    n.activations.clear();
    n.biases = {true, false};
    CHECK_THROWS_WITH_AS(n.validate(),
                         doctest::Contains("expected one per weight layer (3)"),
                         locus::InvalidArgument);
    n.biases.clear();
    n.l2 = Rational(-1, 10);
    CHECK_THROWS_WITH_AS(
        n.validate(), doctest::Contains("network.l2 is -1/10"), locus::InvalidArgument);
    CHECK_THROWS_WITH_AS((void)Activation::from_name("mish"),
                         doctest::Contains("unknown activation 'mish'"),
                         locus::InvalidArgument);
    CHECK_THROWS_WITH_AS((void)Activation::from_name("softplus(-1)"),
                         doctest::Contains("expected a positive rational"),
                         locus::InvalidArgument);
    CHECK(Activation::from_name("leaky_relu(0.2)") == Activation::leaky_relu(Rational(1, 5)));
    CHECK(Activation::from_name(Activation::elu(Rational(1, 3)).name()) ==
          Activation::elu(Rational(1, 3)));
    // Polynomials read back from their name, and bad coefficients are named.
    const Activation poly = Activation::polynomial({Rational(0), Rational(1), Rational(1, 3)});
    CHECK(Activation::from_name(poly.name()) == poly);
    CHECK(Activation::from_name("polynomial[0, 1, 0, 1e-5]") ==
          Activation::polynomial({Rational(0), Rational(1), Rational(0), Rational(1, 100000)}));
    CHECK_THROWS_WITH_AS((void)Activation::from_name("polynomial[1, x]"),
                         doctest::Contains("the coefficient 'x'"),
                         locus::InvalidArgument);
  }

  TEST_CASE("wider class: loss, reduction and L2-scope names read back from to_string") {
    for (const auto k : {locus::LossKind::Squared,
                         locus::LossKind::CrossEntropy,
                         locus::LossKind::BinaryCrossEntropy}) {
      CHECK(locus::loss_from_name(locus::to_string(k)) == k);
    }
    CHECK(locus::loss_from_name("cross-entropy") == locus::LossKind::CrossEntropy);
    CHECK_FALSE(locus::loss_from_name("hinge").has_value());
    for (const auto r : {locus::Reduction::Sum, locus::Reduction::Mean}) {
      CHECK(locus::reduction_from_name(locus::to_string(r)) == r);
    }
    CHECK_FALSE(locus::reduction_from_name("median").has_value());
    for (const auto sc : {L2Scope::All, L2Scope::Weights}) {
      CHECK(locus::l2_scope_from_name(locus::to_string(sc)) == sc);
    }
    CHECK_FALSE(locus::l2_scope_from_name("biases").has_value());
  }

  TEST_CASE("wider class: problem files with per-layer lists, l2, output and BCE targets") {
    const std::string good = R"J({"format": "locus-problem/1",
      "network": {"widths": [2, 3, 2, 1], "activation": ["gelu", "leaky_relu(1/100)"],
                  "bias": [true, false, true], "loss": "binary_cross_entropy", "output": "sigmoid",
                  "l2": {"coefficient": "1e-4", "scope": "weights"}},
      "data": {"inputs": [["1", "2"], ["0.5", "-1"]], "targets": [["1"], ["0.25"]]}})J";
    const locus::Problem p = locus::parse_problem(good, "good");
    CHECK(p.network.activation_at(1) == Activation::gelu());
    CHECK(p.network.activation_at(2) == Activation::leaky_relu(Rational(1, 100)));
    CHECK(!p.network.has_bias(2));
    CHECK(p.network.l2 == Rational(1, 10000));
    CHECK(p.network.l2_scope == L2Scope::Weights);
    CHECK(p.network.loss == LossKind::BinaryCrossEntropy);
    const locus::Problem back = locus::parse_problem(locus::problem_to_json(p).dump(), "back");
    CHECK(back.network == p.network);
    const auto bad = [](const std::string& net, const std::string& targets) {
      return R"({"format": "locus-problem/1", "network": )" + net +
             R"(, "data": {"inputs": [["1", "2"]], "targets": )" + targets + "}}";
    };
    const auto fails = [](const std::string& text, const std::string& what) {
      CAPTURE(text);
      CHECK_THROWS_WITH_AS((void)locus::parse_problem(text, "t"),
                           doctest::Contains(what.c_str()),
                           locus::ParseError);
    };
    fails(bad(R"({"widths": [2, 3, 1], "activation": ["tanh", "relu"]})", R"([["1"]])"),
          "network.activation: the list has 2 activations; expected one per hidden layer (1");
    fails(bad(R"({"widths": [2, 3, 3, 1], "activation": ["tanh", "swish"]})", R"([["1"]])"),
          "network.activation[1]: unknown activation 'swish'");
    fails(bad(R"({"widths": [2, 3, 1], "activation": "tanh", "bias": [true]})", R"([["1"]])"),
          "network.bias: the list has 1 flags; expected one per weight layer (2)");
    fails(bad(R"({"widths": [2, 3, 1], "activation": "tanh", "l2": "-0.1"})", R"([["1"]])"),
          "network.l2: -1/10 is negative");
    fails(bad(R"({"widths": [2, 3, 1], "activation": "tanh", "loss": "binary_cross_entropy"})",
              R"([["1.5"]])"),
          "data.targets[0][0] = 3/2: a binary cross-entropy target must lie in [0, 1]");
    fails(bad(R"({"widths": [2, 3, 1], "activation": "tanh", "output": "sigmoid"})", R"([["1"]])"),
          "network.output: output activation sigmoid does not go with the loss squared");
  }

  TEST_CASE("wider class: kinks of leaky_relu and elu are reported, as for relu") {
    Network net;
    net.widths = {1, 1, 1};
    Dataset data;
    data.inputs = Mat<Rational>::Constant(1, 1, Rational(1));
    data.targets = Mat<Rational>::Constant(1, 1, Rational(1, 3));
    Vec<Rational> theta(net.num_parameters());
    theta << 0, 0, 1, 0;  // z = 0 exactly
    net.activation = Activation::leaky_relu(Rational(1, 10));
    CHECK_THROWS_WITH_AS((void)LossFunction<Rational>(net, data).gradient(theta),
                         doctest::Contains("leaky_relu(1/10) pre-activation z = 0 exactly"),
                         locus::NotDifferentiable);
    net.activation = Activation::elu(Rational(1));
    const LossFunction<double> elu(net, data);
    const Vec<double> td = to<double>(theta);
    CHECK_NOTHROW((void)elu.gradient(td));  // ELU(α = 1) is C¹
    CHECK_THROWS_WITH_AS((void)elu.hessian(td),
                         doctest::Contains("not twice differentiable"),
                         locus::NotDifferentiable);
    net.activation = Activation::elu(Rational(1, 2));
    CHECK_THROWS_AS((void)LossFunction<double>(net, data).gradient(td), locus::NotDifferentiable);
  }
  TEST_CASE(
      "hessian: the curvature one layer below the output (G_iᵀK_LG_i + Wᵀdiag(e)W) agrees with "
      "HVPs") {
    // Where 2 n_L <= n_{L-1}, K_{L-2} is formed from the per-sample Gram matrices of
    // G_i = W_L D1_{L-1,i} W_{L-1} and one Khatri-Rao product (docs/derivatives.md), not by the
    // layer recursion. Every column of the Hessian, its Gauss-Newton part and its residual part is
    // checked against the Hessian-vector product (the R-operator, which shares no code with it):
    // exactly over Q, and to 1e-60 in MPFR-512 for the losses with transcendental terms.
    const auto check_columns = [](const auto& fn, const auto& theta, auto tol) {
      using Theta = std::decay_t<decltype(theta)>;
      using S = typename Theta::Scalar;
      int columns = 0;
      for (const HessianPart part :
           {HessianPart::Full, HessianPart::GaussNewton, HessianPart::Residual}) {
        const Mat<S> h = fn.hessian(theta, part);
        S scale(1);
        for (Eigen::Index a = 0; a < h.size(); ++a) {
          using std::abs;
          if (scale < abs(h.data()[a])) scale = abs(h.data()[a]);
        }
        for (Eigen::Index a = 0; a < theta.size(); ++a) {
          const Vec<S> col =
              fn.hessian_vector_product(theta, Vec<S>(Vec<S>::Unit(theta.size(), a)), part);
          CHECK(static_cast<bool>((col - h.col(a)).cwiseAbs().maxCoeff() <= tol * scale));
          ++columns;
        }
      }
      return columns;
    };
    const Activation quad = Activation::polynomial({Rational(1, 5), Rational(1), Rational(1, 3)});
    const Activation cubic =
        Activation::polynomial({Rational(0), Rational(1, 2), Rational(0), Rational(-1, 7)});
    int columns = 0;
    long expected = 0;
    for (const Case& c : {make_case(41020,
                                    {2, 3, 4, 2},
                                    {quad, cubic},
                                    {true, false, true},
                                    LossKind::Squared,
                                    Reduction::Mean,
                                    Rational(1, 9),
                                    L2Scope::All),
                          make_case(41021,
                                    {2, 2, 3, 5, 1},
                                    {cubic, quad, quad},
                                    {true, true, false, true},
                                    LossKind::Squared,
                                    Reduction::Sum,
                                    Rational(0),
                                    L2Scope::All,
                                    4)}) {
      CAPTURE(c.net.describe());
      const LossFunction<Rational> fn(c.net, c.data);
      columns += check_columns(fn, c.theta, Rational(0));
      expected += 3 * c.net.num_parameters();
    }
    for (const Case& c : {make_case(41022,
                                    {2, 3, 4, 2},
                                    {Activation::sigmoid(), Activation::tanh()},
                                    {true, true, true},
                                    LossKind::BinaryCrossEntropy,
                                    Reduction::Mean,
                                    Rational(1, 50),
                                    L2Scope::Weights),
                          make_case(41023,
                                    {2, 3, 4, 5, 2},
                                    {Activation::tanh(), Activation::silu(), Activation::sigmoid()},
                                    {true, false, true, true},
                                    LossKind::CrossEntropy,
                                    Reduction::Sum,
                                    Rational(0),
                                    L2Scope::All,
                                    4)}) {
      CAPTURE(c.net.describe());
      const LossFunction<M512> fn(c.net, c.data);
      columns += check_columns(fn, to<M512>(c.theta), locus::parse_scalar<M512>("1e-60"));
      expected += 3 * c.net.num_parameters();
    }
    CHECK(columns == expected);
  }
}
