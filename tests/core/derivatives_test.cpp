// Derivatives of the loss: checked against finite differences in MPFR-512, against an independent
// exact evaluation over Q (polynomial activations), across arithmetics, and for the G + H split.
#include "locus/core/derivatives.hpp"

#include <doctest/doctest.h>

#include "support/scalar_lists.hpp"

#include "locus/linalg/dense.hpp"
#include "locus/scalar/parse.hpp"

using locus::Activation;
using locus::Dataset;
using locus::HessianPart;
using locus::LossFunction;
using locus::LossKind;
using locus::Mat;
using locus::Network;
using locus::Rational;
using locus::Reduction;
using locus::Vec;

namespace {

Rational rnd(std::mt19937_64& g, long long pmax = 20, long long q = 10) {
  return locus::test::random_rational(g, pmax, q);
}

/// A random problem: inputs and θ small rationals; targets rational (probability vectors for
/// cross-entropy).
struct Case {
  Network net;
  Dataset data;
  Vec<Rational> theta;
};

Case random_case(std::mt19937_64& g,
                 Activation act,
                 LossKind loss,
                 Reduction red,
                 bool bias,
                 std::vector<int> widths,
                 int n = 4) {
  Case c;
  c.net.widths = std::move(widths);
  c.net.activation = std::move(act);
  c.net.bias = bias;
  c.net.loss = loss;
  c.net.reduction = red;
  const int n0 = c.net.width(0), nl = c.net.width(c.net.num_layers());
  c.data.inputs.resize(n, n0);
  c.data.targets.resize(n, nl);
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < n0; ++k) c.data.inputs(i, k) = rnd(g, 20, 7);
    if (loss == LossKind::CrossEntropy) {
      Rational rest(1);
      for (int k = 0; k < nl - 1; ++k) {
        c.data.targets(i, k) = rest * Rational(std::uniform_int_distribution<int>(0, 4)(g), 5);
        rest -= c.data.targets(i, k);
      }
      c.data.targets(i, nl - 1) = rest;
    } else {
      for (int k = 0; k < nl; ++k) c.data.targets(i, k) = rnd(g, 20, 9);
    }
  }
  c.theta.resize(c.net.num_parameters());
  for (Eigen::Index a = 0; a < c.theta.size(); ++a) {
    Rational v = rnd(g, 12, 11);
    if (c.net.activation.kind == locus::ActivationKind::Relu && v == 0) v = Rational(1, 3);
    c.theta(a) = v;
  }
  return c;
}

std::vector<Activation> all_activations() {
  return {Activation::sigmoid(),
          Activation::tanh(),
          Activation::softplus(),
          Activation::identity(),
          Activation::relu(),
          Activation::polynomial({Rational(1, 2), Rational(1), Rational(-1, 3), Rational(1, 7)})};
}

template <class S>
Vec<S> to(const Vec<Rational>& v) {
  return locus::convert_matrix<S>(Mat<Rational>(v));
}

/// Exact coefficients of the polynomial t -> L(θ + t u) (degree <= deg) by interpolation at
/// t = 0..deg, with an exact Vandermonde solve: an evaluation independent of the derivative code.
std::vector<Rational> line_coefficients(const LossFunction<Rational>& fn,
                                        const Vec<Rational>& theta,
                                        const Vec<Rational>& u,
                                        int deg) {
  const int m = deg + 1;
  Mat<Rational> v(m, m);
  Vec<Rational> rhs(m);
  for (int k = 0; k < m; ++k) {
    Rational pw(1);
    for (int e = 0; e < m; ++e) {
      v(k, e) = pw;
      pw *= k;
    }
    rhs(k) = fn.loss(Vec<Rational>(theta + u * Rational(k)));
  }
  const Vec<Rational> c = v.fullPivLu().solve(rhs);
  REQUIRE(v * c == rhs);
  return {c.data(), c.data() + c.size()};
}

}  // namespace

TEST_SUITE("core.derivatives") {
  TEST_CASE(
      "derivatives: gradient and Hessian match central differences in MPFR-512 (60+ digits)") {
    using S = locus::Mpfr512;
    const std::uint64_t seed = 31001;
    CAPTURE(seed);
    auto g = locus::test::rng(seed);
    const S h = locus::parse_scalar<S>("1e-45");
    const S tol = locus::parse_scalar<S>("1e-60");
    int cases = 0;
    for (const auto& act : all_activations()) {
      for (auto loss : {LossKind::Squared, LossKind::CrossEntropy}) {
        for (auto red : {Reduction::Sum, Reduction::Mean}) {
          // ReLU without biases meets z = 0 exactly (a dead unit feeds 0 forward): keep biases
          const bool bias = act.kind == locus::ActivationKind::Relu || (cases % 3) != 1;
          const Case c = random_case(g, act, loss, red, bias, {2, 3, 2, 2}, 3);
          CAPTURE(c.net.describe());
          ++cases;
          const LossFunction<S> fn(c.net, c.data);
          const Vec<S> theta = to<S>(c.theta);
          const Vec<S> grad = fn.gradient(theta);
          const Mat<S> hess = fn.hessian(theta);
          S scale(1);
          for (Eigen::Index a = 0; a < hess.size(); ++a) {
            using std::abs;
            if (scale < abs(hess.data()[a])) scale = abs(hess.data()[a]);
          }
          for (Eigen::Index a = 0; a < theta.size(); ++a) {
            Vec<S> tp = theta, tm = theta;
            tp(a) += h;
            tm(a) -= h;
            const S fd = (fn.loss(tp) - fn.loss(tm)) / (2 * h);
            using std::abs;
            CHECK(abs(fd - grad(a)) <= tol * (abs(grad(a)) + 1));
            const Vec<S> hcol = (fn.gradient(tp) - fn.gradient(tm)) / (2 * h);
            CHECK((hcol - hess.col(a)).cwiseAbs().maxCoeff() <= tol * scale);
          }
        }
      }
    }
    CHECK(cases == 24);
  }

  TEST_CASE("derivatives: exact over Q against an independent interpolation of L along lines") {
    const std::uint64_t seed = 31002;
    auto g = locus::test::rng(seed);
    const Activation cubic =
        Activation::polynomial({Rational(1, 3), Rational(1), Rational(1, 2), Rational(-1, 5)});
    for (auto red : {Reduction::Sum, Reduction::Mean}) {
      for (bool bias : {true, false}) {
        const Case c = random_case(g, cubic, LossKind::Squared, red, bias, {2, 2, 1}, 3);
        const LossFunction<Rational> fn(c.net, c.data);
        const auto P = c.theta.size();
        const Vec<Rational> grad = fn.gradient(c.theta);
        const Mat<Rational> hess = fn.hessian(c.theta);
        const int deg = 8;  // L is a polynomial of degree 2·(1 + 3) in θ
        for (Eigen::Index a = 0; a < P; ++a) {
          const Vec<Rational> ea = Vec<Rational>::Unit(P, a);
          const auto ca = line_coefficients(fn, c.theta, ea, deg);
          CHECK(ca[1] == grad(a));
          CHECK(2 * ca[2] == hess(a, a));
          for (Eigen::Index b = 0; b < a; ++b) {
            const auto cab =
                line_coefficients(fn, c.theta, Vec<Rational>(ea + Vec<Rational>::Unit(P, b)), deg);
            const auto cb = line_coefficients(fn, c.theta, Vec<Rational>::Unit(P, b), deg);
            CHECK(cab[2] - ca[2] - cb[2] == hess(a, b));
          }
        }
        // D³L[u,u,u] = 6 × the cubic coefficient along θ + t u
        Vec<Rational> u(P);
        for (Eigen::Index a = 0; a < P; ++a) u(a) = rnd(g, 5, 3);
        const auto cu = line_coefficients(fn, c.theta, u, deg);
        CHECK(fn.third_derivative(c.theta, u) == 6 * cu[3]);
        CHECK(fn.hessian_vector_product(c.theta, u) == hess * u);
      }
    }
  }

  TEST_CASE("derivatives: Hessian = G + H exactly over Q; G = JᵀJ; H = 0 at zero residual") {
    auto g = locus::test::rng(31003);
    const Activation act =
        Activation::polynomial({Rational(0), Rational(1), Rational(1, 2), Rational(1, 6)});
    for (int trial = 0; trial < 3; ++trial) {
      Case c = random_case(g, act, LossKind::Squared, Reduction::Sum, trial != 1, {2, 3, 2}, 4);
      LossFunction<Rational> fn(c.net, c.data);
      const Mat<Rational> full = fn.hessian(c.theta);
      const Mat<Rational> gn = fn.hessian(c.theta, HessianPart::GaussNewton);
      const Mat<Rational> res = fn.hessian(c.theta, HessianPart::Residual);
      CHECK(full == gn + res);
      const Mat<Rational> j = fn.output_jacobian(c.theta);
      CHECK(gn == j.transpose() * j);
      CHECK(full == full.transpose());
      Vec<Rational> v(c.theta.size());
      for (Eigen::Index a = 0; a < v.size(); ++a) v(a) = rnd(g, 9, 4);
      CHECK(fn.hessian_vector_product(c.theta, v, HessianPart::GaussNewton) == gn * v);
      CHECK(fn.hessian_vector_product(c.theta, v, HessianPart::Residual) == res * v);
      // G is PSD: its exact LDLᵀ pivots are >= 0 (it is JᵀJ); check with MPFR eigenvalues too
      const auto eig =
          locus::symmetric_eigen<locus::Mpfr256>(locus::convert_matrix<locus::Mpfr256>(gn));
      CHECK(eig.values.minCoeff() >= -locus::ScalarTraits<locus::Mpfr256>::default_tolerance());
      // zero residual: targets := outputs exactly
      c.data.targets = fn.outputs(c.theta);
      LossFunction<Rational> fit(c.net, c.data);
      CHECK(fit.loss(c.theta) == 0);
      CHECK(fit.gradient(c.theta).isZero());
      CHECK(fit.hessian(c.theta, HessianPart::Residual).isZero());
      CHECK(fit.hessian(c.theta) == fit.hessian(c.theta, HessianPart::GaussNewton));
    }
  }

  TEST_CASE_TEMPLATE("derivatives: every floating arithmetic agrees with MPFR-1024",
                     S,
                     LOCUS_TEST_FLOATING_SCALARS) {
    using T = locus::ScalarTraits<S>;
    using R = locus::Mpfr1024;
    auto g = locus::test::rng(31004);
    for (auto loss : {LossKind::Squared, LossKind::CrossEntropy}) {
      const Case c =
          random_case(g, Activation::sigmoid(), loss, Reduction::Mean, true, {3, 4, 3}, 5);
      const LossFunction<S> fn(c.net, c.data);
      const LossFunction<R> ref(c.net, c.data);
      const Mat<S> h = fn.hessian(to<S>(c.theta));
      const Mat<R> hr = ref.hessian(to<R>(c.theta));
      CHECK(h == h.transpose());  // symmetric to the last bit
      const Vec<S> gr = fn.gradient(to<S>(c.theta));
      const Vec<R> grr = ref.gradient(to<R>(c.theta));
      const Rational tol = T::to_rational(T::default_tolerance()) * 100;
      for (Eigen::Index a = 0; a < h.size(); ++a) {
        CHECK(abs(T::to_rational(h.data()[a]) -
                  locus::ScalarTraits<R>::to_rational(hr.data()[a])) <= tol);
      }
      for (Eigen::Index a = 0; a < gr.size(); ++a) {
        CHECK(abs(T::to_rational(gr(a)) - locus::ScalarTraits<R>::to_rational(grr(a))) <= tol);
      }
      // HVP = H v, and Full = G + H within tolerance
      const Vec<S> v = to<S>(c.theta);
      const Vec<S> hv = fn.hessian_vector_product(to<S>(c.theta), v);
      CHECK(T::to_rational((hv - h * v).cwiseAbs().maxCoeff()) <= tol * 10);
      const Mat<S> sum = fn.hessian(to<S>(c.theta), HessianPart::GaussNewton) +
                         fn.hessian(to<S>(c.theta), HessianPart::Residual);
      CHECK(T::to_rational((sum - h).cwiseAbs().maxCoeff()) <= tol);
    }
  }

  TEST_CASE("derivatives: balls contain the exact rational values") {
    auto g = locus::test::rng(31005);
    const Activation act =
        Activation::polynomial({Rational(1, 3), Rational(1), Rational(1, 2), Rational(-1, 5)});
    const Case c = random_case(g, act, LossKind::Squared, Reduction::Mean, true, {2, 3, 2}, 4);
    const LossFunction<Rational> exact(c.net, c.data);
    const LossFunction<locus::Ball> ball(c.net, c.data);
    const Vec<locus::Ball> theta = to<locus::Ball>(c.theta);
    CHECK(contains(ball.loss(theta), exact.loss(c.theta)));
    const Vec<Rational> ge = exact.gradient(c.theta);
    const Vec<locus::Ball> gb = ball.gradient(theta);
    const Mat<Rational> he = exact.hessian(c.theta);
    const Mat<locus::Ball> hb = ball.hessian(theta);
    for (Eigen::Index a = 0; a < ge.size(); ++a) CHECK(contains(gb(a), ge(a)));
    for (Eigen::Index a = 0; a < he.size(); ++a) CHECK(contains(hb.data()[a], he.data()[a]));
    const Vec<Rational> u = c.theta;
    CHECK(contains(ball.third_derivative(theta, theta), exact.third_derivative(c.theta, u)));
  }

  TEST_CASE("derivatives: exact sigmoid and tanh at z = 0; refusals name the activation and z") {
    Network net;
    net.widths = {1, 2, 1};
    net.activation = Activation::sigmoid();
    Dataset data;
    data.inputs = Mat<Rational>::Constant(2, 1, Rational(1));
    data.targets = Mat<Rational>::Constant(2, 1, Rational(1, 3));
    // zero first layer: all pre-activations 0, so sigmoid values are the Taylor coefficients
    Vec<Rational> theta = Vec<Rational>::Zero(net.num_parameters());
    theta(net.weight_index(2, 0, 0)) = 2;
    const LossFunction<Rational> fn(net, data);
    CHECK(fn.outputs(theta)(0, 0) == 1);  // 2 · σ(0)
    const Mat<Rational> h = fn.hessian(theta);
    const LossFunction<locus::Mpfr256> fm(net, data);
    const Mat<locus::Mpfr256> hm = fm.hessian(to<locus::Mpfr256>(theta));
    for (Eigen::Index a = 0; a < h.size(); ++a) {
      CHECK(abs(locus::ScalarTraits<locus::Mpfr256>::to_rational(hm.data()[a]) - h.data()[a]) <=
            Rational(1, 1000000) * Rational(1, 1000000) * Rational(1, 1000000));
    }
    theta(net.weight_index(1, 0, 0)) = Rational(3, 10);
    CHECK_THROWS_WITH_AS((void)fn.gradient(theta),
                         doctest::Contains("sigmoid(z) at z = 3/10"),
                         locus::UnsupportedScalar);
    net.activation = Activation::relu();
    const LossFunction<Rational> relu(net, data);
    theta(net.weight_index(1, 0, 0)) = 0;
    CHECK_THROWS_WITH_AS((void)relu.hessian(theta),
                         doctest::Contains("relu pre-activation z = 0"),
                         locus::NotDifferentiable);
    net.loss = LossKind::CrossEntropy;
    net.widths = {1, 2, 2};
    data.targets = Mat<Rational>::Constant(2, 2, Rational(1, 2));
    net.activation = Activation::identity();
    const LossFunction<Rational> ce(net, data);
    CHECK_THROWS_AS((void)ce.loss(Vec<Rational>::Zero(net.num_parameters())),
                    locus::UnsupportedScalar);
    CHECK_THROWS_AS((void)ce.loss(Vec<Rational>::Zero(3)), locus::InvalidArgument);
  }

  TEST_CASE("hessian: products large enough for the CRT kernel stay exact-enclosing and accurate") {
    // N = 64 samples and [3, 8, 8, 2]: the sums over samples are products of depth 64 with more
    // than 32768 multiply-adds, so MPFR and balls take the CRT path (docs/math/crt-products.md).
    // A quadratic activation keeps the rational Hessian exact.
    const std::uint64_t seed = 7301;
    CAPTURE(seed);
    auto g = locus::test::rng(seed);
    for (const bool bias : {true, false}) {
      const Case c =
          random_case(g,
                      Activation::polynomial({Rational(0), Rational(1, 2), Rational(1, 3)}),
                      LossKind::Squared,
                      Reduction::Mean,
                      bias,
                      {3, 8, 8, 2},
                      64);
      const Mat<Rational> exact = LossFunction<Rational>(c.net, c.data).hessian(c.theta);
      Rational scale(0);
      for (Eigen::Index a = 0; a < exact.size(); ++a) {
        scale = std::max(scale, Rational(abs(exact.data()[a])));
      }
      locus::ScopedBallPrecision bits(256);
      const Mat<locus::Ball> hb =
          LossFunction<locus::Ball>(c.net, c.data).hessian(to<locus::Ball>(c.theta));
      const Mat<locus::Mpfr256> hm =
          LossFunction<locus::Mpfr256>(c.net, c.data).hessian(to<locus::Mpfr256>(c.theta));
      int outside = 0, inaccurate = 0, wide = 0;
      const Rational tol = scale * Rational(1, 1000000000) * Rational(1, 1000000000) *
                           Rational(1, 1000000000) * Rational(1, 1000000000) *
                           Rational(1, 1000000000) * Rational(1, 1000000000) *
                           Rational(1, 1000000000);  // 1e-63 relative
      for (Eigen::Index a = 0; a < exact.size(); ++a) {
        if (!locus::contains(hb.data()[a], exact.data()[a])) ++outside;
        if (hb.data()[a].rad() > tol) ++wide;
        const Rational err =
            abs(locus::ScalarTraits<locus::Mpfr256>::to_rational(hm.data()[a]) - exact.data()[a]);
        if (err > tol) ++inaccurate;
      }
      CHECK(outside == 0);
      CHECK(wide == 0);
      CHECK(inaccurate == 0);
    }
  }

  TEST_CASE(
      "hessian: multiprecision Hessians of deeper networks, every part, against exact values") {
    // Sizes on the CRT path (N = 64), networks of 3 and 4 layers, every Hessian part: at the
    // output layer the multiprecision code takes T_{L,L-2} from the unrolled level's G_i and
    // factors the δ-term of the block (L, L-2) (derivatives_impl.hpp); deeper blocks keep the
    // general recursion. Squared loss with a quadratic activation: the exact Hessian over Q.
    // Softmax cross-entropy (K_L != I, so C_{L,L-2} = K_L T_{L,L-2}): against MPFR-1024. [3, 6, 3, 2]
    // is not unrolled (2 n_L > n_2), so K_2 is read whole one level down.
    const std::uint64_t seed = 7302;
    CAPTURE(seed);
    auto g = locus::test::rng(seed);
    const Activation quad = Activation::polynomial({Rational(0), Rational(1, 2), Rational(1, 3)});
    const Rational tiny = Rational(1, 1000000000) * Rational(1, 1000000000) *
                          Rational(1, 1000000000) * Rational(1, 1000000000) *
                          Rational(1, 1000000000) * Rational(1, 1000000000) *
                          Rational(1, 1000000000);  // 1e-63
    locus::ScopedBallPrecision bits(256);
    for (const auto& widths : {std::vector<int>{3, 8, 8, 2},
                               std::vector<int>{3, 6, 3, 2},
                               std::vector<int>{3, 6, 8, 6, 2}}) {
      for (const bool bias : {true, false}) {
        for (const auto part :
             {HessianPart::Full, HessianPart::GaussNewton, HessianPart::Residual}) {
          for (const LossKind loss : {LossKind::Squared, LossKind::CrossEntropy}) {
            CAPTURE(widths.size());
            CAPTURE(bias);
            CAPTURE(static_cast<int>(part));
            CAPTURE(static_cast<int>(loss));
            const Case c = random_case(g,
                                       loss == LossKind::Squared ? quad : Activation::sigmoid(),
                                       loss,
                                       Reduction::Mean,
                                       bias,
                                       widths,
                                       64);
            Mat<Rational> ref;
            if (loss == LossKind::Squared) {
              ref = LossFunction<Rational>(c.net, c.data).hessian(c.theta, part);
            } else {
              const Mat<locus::Mpfr1024> r = LossFunction<locus::Mpfr1024>(c.net, c.data)
                                                 .hessian(to<locus::Mpfr1024>(c.theta), part);
              ref.resize(r.rows(), r.cols());
              for (Eigen::Index a = 0; a < r.size(); ++a) {
                ref.data()[a] = locus::ScalarTraits<locus::Mpfr1024>::to_rational(r.data()[a]);
              }
            }
            Rational scale(0);
            for (Eigen::Index a = 0; a < ref.size(); ++a) {
              scale = std::max(scale, Rational(abs(ref.data()[a])));
            }
            REQUIRE(scale > 0);
            if (part == HessianPart::Full) {
              // The reference itself, independently of the derivative code: uᵀHu from the loss
              // along θ + t u (exact interpolation over Q; a central second difference at
              // h = 2^-200 in MPFR-1024, error ~2^-400 times the fourth derivative).
              Vec<Rational> u(c.theta.size());
              for (Eigen::Index a = 0; a < u.size(); ++a) u(a) = rnd(g, 5, 3);
              const Rational uhu = (u.transpose() * ref * u)(0, 0);
              if (loss == LossKind::Squared) {
                int deg_z = 1;  // degree in t of z_1, then of z_{l+1} = W_{l+1}(t) σ(z_l)
                for (std::size_t l = 2; l < widths.size(); ++l) deg_z = 2 * deg_z + 1;
                const auto cu =
                    line_coefficients(LossFunction<Rational>(c.net, c.data), c.theta, u, 2 * deg_z);
                CHECK(uhu == 2 * cu[2]);
              } else {
                using R = locus::Mpfr1024;
                const LossFunction<R> f(c.net, c.data);
                const Vec<R> th = to<R>(c.theta), ur = to<R>(u);
                const R h = ldexp(R(1), -200);
                const R d2 =
                    (f.loss(Vec<R>(th + h * ur)) - 2 * f.loss(th) + f.loss(Vec<R>(th - h * ur))) /
                    (h * h);
                const Rational diff = abs(locus::ScalarTraits<R>::to_rational(d2) - uhu);
                CHECK(diff <= (abs(uhu) + 1) * tiny);
              }
            }
            const Mat<locus::Ball> hb =
                LossFunction<locus::Ball>(c.net, c.data).hessian(to<locus::Ball>(c.theta), part);
            const Mat<locus::Mpfr256> hm = LossFunction<locus::Mpfr256>(c.net, c.data)
                                               .hessian(to<locus::Mpfr256>(c.theta), part);
            int outside = 0, inaccurate = 0;
            for (Eigen::Index a = 0; a < ref.size(); ++a) {
              if (!locus::contains(hb.data()[a], ref.data()[a])) ++outside;
              const Rational err = abs(
                  locus::ScalarTraits<locus::Mpfr256>::to_rational(hm.data()[a]) - ref.data()[a]);
              if (err > scale * tiny) ++inaccurate;
            }
            CHECK(outside == 0);
            CHECK(inaccurate == 0);
          }
        }
      }
    }
  }
}
