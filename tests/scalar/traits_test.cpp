// ScalarTraits: the contract every scalar specialisation promises, checked per scalar.
#include <doctest/doctest.h>

#include "support/scalar_lists.hpp"

#include "locus/scalar/all.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/parse.hpp"

using locus::Rational;
using locus::ScalarTraits;

namespace {
Rational pow2(int e) {
  Rational r(1);
  const Rational two(e >= 0 ? 2 : 1, e >= 0 ? 1 : 2);
  for (int i = 0; i < (e >= 0 ? e : -e); ++i) r *= two;
  return r;
}
}  // namespace

TEST_SUITE("scalar.traits") {
  TEST_CASE_TEMPLATE("traits: flags, digits and epsilon are consistent", S, LOCUS_TEST_SCALARS) {
    using T = ScalarTraits<S>;
    CAPTURE(T::name());
    CHECK(locus::is_locus_scalar_v<S>);
    if constexpr (T::is_exact) {
      CHECK(T::digits() == 0);
      CHECK(T::to_rational(T::epsilon()) == 0);
      CHECK(T::to_rational(T::default_tolerance()) == 0);
      CHECK(T::is_rigorous);
      CHECK_FALSE(T::has_transcendentals);
    } else {
      CHECK(T::digits() >= 53);
      // epsilon is exactly 2^(1 - digits)
      CHECK(T::to_rational(T::epsilon()) == pow2(1 - T::digits()));
      const Rational tol = T::to_rational(T::default_tolerance());
      CHECK(tol > T::to_rational(T::epsilon()));
      CHECK(tol < Rational(1, 1000000));
      CHECK(T::has_transcendentals);
    }
    CHECK(T::is_interval == (T::kind == locus::ScalarKind::Ball));
    // the capability traits the code asks instead of the kind
    CHECK(T::is_multiprecision ==
          (T::kind == locus::ScalarKind::Mpfr || T::kind == locus::ScalarKind::Ball));
    CHECK(T::is_native_double == std::is_same_v<S, double>);
  }

  TEST_CASE_TEMPLATE("traits: epsilon is the gap after 1 in rounding arithmetics",
                     S,
                     LOCUS_TEST_FLOATING_SCALARS) {
    using T = ScalarTraits<S>;
    CAPTURE(T::name());
    const S one(1);
    const S eps = T::epsilon();
    CHECK(one + eps != one);
    CHECK(one + eps / 2 == one);  // ties to even
    CHECK(T::is_finite(one));
    using std::sqrt;
    CHECK_FALSE(T::is_finite(sqrt(S(-1))));
  }

  TEST_CASE_TEMPLATE("traits: the name is the arithmetic name", S, LOCUS_TEST_SCALARS) {
    using T = ScalarTraits<S>;
    const locus::Arithmetic a = locus::parse_arithmetic(T::name());
    CHECK(a.name() == T::name());
    const std::string dispatched =
        locus::dispatch(a, []<class U>(std::type_identity<U>) { return ScalarTraits<U>::name(); });
    CHECK(dispatched == T::name());
    if constexpr (T::kind == locus::ScalarKind::Mpfr) {
      CHECK(T::digits() >= a.bits);
      CHECK(T::digits() <= a.bits + 1);
    }
  }

  TEST_CASE_TEMPLATE("traits: from_ratio rounds to nearest, or encloses", S, LOCUS_TEST_SCALARS) {
    using T = ScalarTraits<S>;
    CAPTURE(T::name());
    for (auto [p, q] : {std::pair{1LL, 3LL}, {-2LL, 7LL}, {1LL, 10LL}, {22LL, 7LL}, {-1LL, 1LL}}) {
      const Rational exact(p, q);
      const S x = T::from_ratio(p, q);
      if constexpr (T::is_interval) {
        CHECK(contains(x, exact));
      } else {
        // correctly rounded: error at most half an ulp, ulp <= epsilon * |x| for normal numbers
        const Rational err = abs(T::to_rational(x) - exact);
        CHECK(err <= T::to_rational(T::epsilon()) * abs(exact) / 2);
        CHECK(locus::ratio<S>(p, q) == x);
      }
    }
  }

  TEST_CASE_TEMPLATE(
      "traits: to_string round-trips through parse_scalar", S, LOCUS_TEST_ORDERED_SCALARS) {
    using T = ScalarTraits<S>;
    auto g = locus::test::rng(20261122);
    for (int i = 0; i < 50 * locus::test::multiplier(); ++i) {
      const Rational r = locus::test::random_rational(g, 1000000, 99991);
      const S x = T::from_rational(r / 1000);
      const std::string text = T::to_string(x);
      CAPTURE(text);
      CHECK(locus::parse_scalar<S>(text) == x);
    }
  }

  TEST_CASE("traits: ball text is [mid +/- rad] and encloses") {
    const locus::Ball third = locus::ratio<locus::Ball>(1, 3);
    const std::string s = ScalarTraits<locus::Ball>::to_string(third);
    CHECK(s.front() == '[');
    CHECK(s.find("+/-") != std::string::npos);
    CHECK(ScalarTraits<locus::Ball>::to_string(locus::Ball(0)) == "[0 +/- 0]");
    const std::string zeroish = ScalarTraits<locus::Ball>::to_string(third - third);
    CHECK(zeroish.rfind("[0 +/-", 0) == 0);
    CHECK(ScalarTraits<Rational>::to_string(Rational(-6, 4)) == "-3/2");
    CHECK(ScalarTraits<Rational>::to_string(Rational(5)) == "5");
  }
}
