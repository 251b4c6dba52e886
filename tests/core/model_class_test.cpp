// The wider model class: every activation's σ, σ′, σ″, σ‴ against MPFR-512 central differences
// (60 digits), balls containing the MPFR values, exact values over Q where they are rational, and
// the kinks; then losses of networks with mixed activations, per-layer biases, binary
// cross-entropy and an L2 term, against MPFR-512 differences and exact identities.
#include <doctest/doctest.h>

#include <array>
#include <cmath>

#include "support/scalar_lists.hpp"

#include "locus/core/activation.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/scalar/parse.hpp"

using locus::Activation;
using locus::ActivationKind;
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

std::vector<Activation> smooth_activations() {
  return {Activation::gelu(),
          Activation::gelu_tanh(),
          Activation::erf(),
          Activation::silu(),
          Activation::softplus(Rational(2)),
          Activation::softplus(Rational(1, 3)),
          Activation::sigmoid(),
          Activation::tanh(),
          Activation::softplus()};
}

std::vector<Activation> piecewise_activations() {
  return {Activation::leaky_relu(Rational(1, 100)),
          Activation::leaky_relu(Rational(-3, 2)),
          Activation::elu(Rational(1)),
          Activation::elu(Rational(1, 2)),
          Activation::relu()};
}

std::vector<Activation> all_activations() {
  std::vector<Activation> all = smooth_activations();
  for (const auto& a : piecewise_activations()) all.push_back(a);
  return all;
}

const std::vector<Rational> kPoints = {Rational(-37, 10),
                                       Rational(-1),
                                       Rational(-1, 3),
                                       Rational(1, 7),
                                       Rational(1, 2),
                                       Rational(2),
                                       Rational(29, 10)};

template <class S>
S from(const Rational& r) {
  return locus::ScalarTraits<S>::from_rational(r);
}

}  // namespace

TEST_SUITE("core.model_class") {
  TEST_CASE("activations: σ′, σ″, σ‴ match MPFR-512 central differences of σ, σ′, σ″ (60 digits)") {
    const M512 h = locus::parse_scalar<M512>("1e-40");
    const M512 tol = locus::parse_scalar<M512>("1e-60");
    int checked = 0;
    for (const auto& act : all_activations()) {
      for (const Rational& z0 : kPoints) {
        CAPTURE(act.name());
        CAPTURE(locus::to_string(z0));
        const M512 z = from<M512>(z0);
        const auto d = locus::activation_derivatives<M512>(act, z, 3);
        const auto dp = locus::activation_derivatives<M512>(act, M512(z + h), 3);
        const auto dm = locus::activation_derivatives<M512>(act, M512(z - h), 3);
        for (int k = 0; k < 3; ++k) {
          const auto uk = static_cast<std::size_t>(k);
          const M512 fd = (dp[uk] - dm[uk]) / (2 * h);
          using std::abs;
          CHECK(static_cast<bool>(abs(fd - d[uk + 1]) <= tol * (abs(d[uk + 1]) + 1)));
          ++checked;
        }
      }
    }
    CHECK(checked == 14 * 7 * 3);
  }

  TEST_CASE("activations: values against independent double references") {
    // Φ(1), erf(1/√2), sigmoid(1), PyTorch's tanh-GELU at 1, softplus_2(1) = log(1 + e²)/2,
    // elu_{1/2}(-1) = (e^{-1} - 1)/2, leaky_relu_{1/100}(-3) = -3/100.
    const auto at = [](const Activation& a, double z) {
      return locus::activation_derivatives<double>(a, z, 0)[0];
    };
    CHECK(at(Activation::gelu(), 1.0) == doctest::Approx(0.8413447460685429).epsilon(1e-15));
    CHECK(at(Activation::erf(), 1.0) == doctest::Approx(0.6826894921370859).epsilon(1e-15));
    CHECK(at(Activation::silu(), 1.0) == doctest::Approx(0.7310585786300049).epsilon(1e-15));
    CHECK(at(Activation::gelu_tanh(), 1.0) ==
          doctest::Approx(0.5 * (1 + std::tanh(std::sqrt(2 / M_PI) * 1.044715))).epsilon(1e-15));
    CHECK(at(Activation::softplus(Rational(2)), 1.0) ==
          doctest::Approx(std::log1p(std::exp(2.0)) / 2).epsilon(1e-15));
    CHECK(at(Activation::elu(Rational(1, 2)), -1.0) ==
          doctest::Approx((std::exp(-1.0) - 1) / 2).epsilon(1e-15));
    CHECK(at(Activation::leaky_relu(Rational(1, 100)), -3.0) == -3.0 / 100);
  }

  TEST_CASE("activations: Arb balls at 256 bits contain the MPFR-512 values") {
    const locus::ScopedBallPrecision precision(256);
    int checked = 0;
    for (const auto& act : all_activations()) {
      for (const Rational& z0 : kPoints) {
        CAPTURE(act.name());
        CAPTURE(locus::to_string(z0));
        const auto m = locus::activation_derivatives<M512>(act, from<M512>(z0), 3);
        const auto b = locus::activation_derivatives<Ball>(act, Ball(z0), 3);
        for (std::size_t k = 0; k < 4; ++k) {
          // the MPFR value is within a few 2^-512 of the truth, far inside a 256-bit ball
          CHECK(contains(b[k], locus::ScalarTraits<M512>::to_rational(m[k])));
          CHECK(b[k].rad_double() < 1e-60);
          ++checked;
        }
      }
    }
    CHECK(checked == 14 * 7 * 4);
  }
}
