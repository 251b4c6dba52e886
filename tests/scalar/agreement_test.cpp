// Differential tests: the same computation in every arithmetic agrees with the exact rational one
// (floats within their traits' tolerance, balls by containment), and transcendental functions agree
// with MPFR-1024.
#include <doctest/doctest.h>

#include "support/scalar_lists.hpp"

#include "locus/scalar/all.hpp"
#include "locus/scalar/parse.hpp"

using locus::Rational;
using locus::ScalarTraits;

namespace {

/// A rational computation with cancellation: Horner evaluation of a random polynomial, plus a
/// continued fraction, plus a harmonic-type sum. Generic over any Field.
template <class S>
S workload(const std::vector<Rational>& coeffs, const Rational& at) {
  const S x = ScalarTraits<S>::from_rational(at);
  S horner(0);
  for (auto it = coeffs.rbegin(); it != coeffs.rend(); ++it) {
    horner = horner * x + ScalarTraits<S>::from_rational(*it);
  }
  S cf(1);
  for (int k = 12; k >= 1; --k) cf = S(k) + x / cf;
  S sum(0);
  for (int k = 1; k <= 40; ++k) sum += locus::ratio<S>(1, k) * x;
  return horner + S(1) / cf - sum;
}

}  // namespace

TEST_SUITE("scalar.agreement") {
  TEST_CASE_TEMPLATE("agreement: rational workload in every arithmetic", S, LOCUS_TEST_SCALARS) {
    using T = ScalarTraits<S>;
    const std::uint64_t seed = 9001;
    CAPTURE(seed);
    CAPTURE(T::name());
    auto g = locus::test::rng(seed);
    for (int i = 0; i < 40 * locus::test::multiplier(); ++i) {
      std::vector<Rational> coeffs;
      for (int k = 0; k < 8; ++k) coeffs.push_back(locus::test::random_rational(g, 50, 13));
      const Rational at = locus::test::random_rational(g, 30, 17);
      const Rational exact = workload<Rational>(coeffs, at);
      const S got = workload<S>(coeffs, at);
      if constexpr (T::is_interval) {
        CHECK(contains(got, exact));
      } else if constexpr (T::is_exact) {
        CHECK(got == exact);
      } else {
        // the sum of |terms| bounds the conditioning; tolerance from the traits, never a literal
        Rational scale(1);
        Rational xp(1);
        for (const auto& c : coeffs) {
          scale += abs(c) * xp;
          xp *= abs(at) + 1;
        }
        scale += 40 * (abs(at) + 1);
        const Rational err = abs(T::to_rational(got) - exact);
        CHECK(err <= T::to_rational(T::default_tolerance()) * scale);
      }
    }
  }

  TEST_CASE_TEMPLATE(
      "agreement: exp, log, tanh, sqrt against MPFR-1024", S, LOCUS_TEST_FLOATING_SCALARS) {
    using T = ScalarTraits<S>;
    using R = locus::Mpfr1024;
    using RT = ScalarTraits<R>;
    auto g = locus::test::rng(9002);
    for (int i = 0; i < 60 * locus::test::multiplier(); ++i) {
      const Rational a = locus::test::random_rational(g, 2000, 331);
      const Rational p = abs(a) + Rational(1, 3);
      const S x = T::from_rational(a);
      const S y = T::from_rational(p);
      const R xr = RT::from_rational(a);
      const R yr = RT::from_rational(p);
      using std::exp, std::log, std::tanh, std::sqrt;
      const std::array<S, 4> got{exp(x / 4), log(y), tanh(x), sqrt(y)};
      const std::array<R, 4> ref{exp(xr / 4), log(yr), tanh(xr), sqrt(yr)};
      for (std::size_t k = 0; k < got.size(); ++k) {
        CAPTURE(k);
        CAPTURE(locus::to_string(a));
        // relative error of a few ulps (the input itself is rounded: condition number <= |x|)
        const Rational diff = abs(T::to_rational(got[k]) - RT::to_rational(ref[k]));
        const Rational bound =
            T::to_rational(T::default_tolerance()) * (abs(RT::to_rational(ref[k])) + 1);
        CHECK(diff <= bound);
      }
    }
  }
}
