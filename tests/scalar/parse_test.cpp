// Exact parsing: text -> rational exactly, then one correct rounding (or enclosure) per arithmetic.
#define MPFR_WANT_FLOAT128 1
#include "locus/scalar/parse.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>

#include "support/scalar_lists.hpp"

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"

#include <fmt/format.h>

#include <mpfr.h>

#if LOCUS_HAS_FLOAT128
#include <quadmath.h>
#endif

using locus::parse_rational;
using locus::parse_scalar;
using locus::Rational;
using locus::ScalarTraits;

namespace {

/// A random decimal literal such as "-123.0456e-17".
std::string random_decimal(std::mt19937_64& g) {
  std::uniform_int_distribution<int> len(1, 25);
  std::uniform_int_distribution<int> digit(0, 9);
  std::uniform_int_distribution<int> exp(-40, 40);
  std::uniform_int_distribution<int> coin(0, 1);
  std::string s = coin(g) ? "-" : "";
  const int n = len(g);
  const int dot = std::uniform_int_distribution<int>(0, n)(g);
  for (int i = 0; i < n; ++i) {
    if (i == dot && i > 0) s += '.';
    s += static_cast<char>('0' + digit(g));
  }
  if (coin(g)) s += fmt::format("e{}", exp(g));
  return s;
}

/// The reference rounding: MPFR's own string reader at the target precision.
template <class S>
S reference(const std::string& text);

template <>
double reference<double>(const std::string& text) {
  return std::strtod(text.c_str(), nullptr);
}
template <>
long double reference<long double>(const std::string& text) {
  return std::strtold(text.c_str(), nullptr);
}
#if LOCUS_HAS_FLOAT128
template <>
locus::Float128 reference<locus::Float128>(const std::string& text) {
  return locus::Float128(strtoflt128(text.c_str(), nullptr));
}
#endif
template <class S>
S reference(const std::string& text) {  // Mpfr<B>
  S x;
  mpfr_set_str(x.backend().data(), text.c_str(), 10, MPFR_RNDN);
  return x;
}

}  // namespace

TEST_SUITE("scalar.parse") {
  TEST_CASE("parse: decimals and ratios are exact rationals") {
    CHECK(parse_rational("0.1") == Rational(1, 10));
    CHECK(parse_rational("-1/3") == Rational(-1, 3));
    CHECK(parse_rational("6/4") == Rational(3, 2));
    CHECK(parse_rational("1e-3") == Rational(1, 1000));
    CHECK(parse_rational("2.5E+2") == Rational(250));
    CHECK(parse_rational(".5") == Rational(1, 2));
    CHECK(parse_rational("5.") == Rational(5));
    CHECK(parse_rational("+7") == Rational(7));
    CHECK(parse_rational("  3 \n") == Rational(3));
    CHECK(parse_rational("007") == Rational(7));
    CHECK(parse_rational("-0") == Rational(0));
    CHECK(parse_rational("0.2240443082") == Rational(1120221541, 5000000000LL));
    CHECK(parse_rational("123456789012345678901234567890") ==
          Rational(locus::Integer("123456789012345678901234567890")));
    CHECK(parse_rational("1e30") * parse_rational("1e-30") == 1);
  }

  TEST_CASE("parse: malformed text is a ParseError naming it") {
    for (const char* bad : {"",      " ",  "nan", "NaN", "inf",  "-inf", "1/0",      "0x10",
                            "1.2.3", "1e", "e5",  "--1", "1/-3", "1 /3", "1e100001", "1,5",
                            "1/2/3", ".",  "-",   "+",   "1e+",  "0.1f", "1/3.0"}) {
      CAPTURE(bad);
      try {
        (void)parse_rational(bad);
        FAIL("accepted");
      } catch (const locus::ParseError& e) {
        CHECK(std::string(e.what()).find(fmt::format("'{}'", bad)) != std::string::npos);
      }
    }
  }

  TEST_CASE_TEMPLATE(
      "parse: floating arithmetics round decimals correctly", S, LOCUS_TEST_FLOATING_SCALARS) {
    const std::uint64_t seed = 7001;
    auto g = locus::test::rng(seed);
    CAPTURE(seed);
    for (int i = 0; i < 200 * locus::test::multiplier(); ++i) {
      const std::string text = random_decimal(g);
      CAPTURE(text);
      CHECK(parse_scalar<S>(text) == reference<S>(text));
    }
  }

  TEST_CASE_TEMPLATE("parse: ratios round correctly (checked against MPFR division)",
                     S,
                     LOCUS_TEST_FLOATING_SCALARS) {
    auto g = locus::test::rng(7002);
    for (int i = 0; i < 100 * locus::test::multiplier(); ++i) {
      const Rational r = locus::test::random_rational(g, 1000000, 999983);
      const std::string text = locus::to_string(r);
      CAPTURE(text);
      // reference: p/q computed by MPFR at the target precision, one rounding
      mpfr_t p, q, out;
      const auto bits = static_cast<mpfr_prec_t>(ScalarTraits<S>::digits());
      mpfr_inits2(bits + 64, p, q, nullptr);
      mpfr_init2(out, bits);
      mpfr_set_z(p, numerator(r).backend().data(), MPFR_RNDN);
      mpfr_set_z(q, denominator(r).backend().data(), MPFR_RNDN);
      mpfr_div(out, p, q, MPFR_RNDN);
      Rational expected;
      mpfr_get_q(expected.backend().data(), out);
      mpfr_clears(p, q, out, nullptr);
      CHECK(ScalarTraits<S>::to_rational(parse_scalar<S>(text)) == expected);
    }
  }

  TEST_CASE("parse: double range, subnormals and overflow") {
    CHECK(parse_scalar<double>("4.9406564584124654e-324") ==
          std::numeric_limits<double>::denorm_min());
    CHECK(parse_scalar<double>("2.4703282292062328e-324") ==
          std::numeric_limits<double>::denorm_min());
    CHECK(parse_scalar<double>("1e-400") == 0.0);
    CHECK(parse_scalar<double>("1.7976931348623157e308") == std::numeric_limits<double>::max());
    CHECK_THROWS_AS((void)parse_scalar<double>("1e400"), locus::ParseError);
    CHECK_THROWS_WITH((void)parse_scalar<double>("1e400"), doctest::Contains("double"));
    CHECK(ScalarTraits<locus::Mpfr128>::is_finite(parse_scalar<locus::Mpfr128>("1e400")));
  }

  TEST_CASE("parse: a ball holding 0.1 contains 1/10, at every precision") {
    auto g = locus::test::rng(7003);
    for (int bits : {2, 10, 53, 128, 300, 1000}) {
      locus::ScopedBallPrecision prec(bits);
      CAPTURE(bits);
      const locus::Ball tenth = parse_scalar<locus::Ball>("0.1");
      CHECK(contains(tenth, Rational(1, 10)));
      CHECK_FALSE(tenth.is_exact());
      for (int i = 0; i < 50; ++i) {
        const std::string text = random_decimal(g);
        CAPTURE(text);
        CHECK(contains(parse_scalar<locus::Ball>(text), parse_rational(text)));
      }
    }
    // and the double 0.1 is NOT 1/10: the explicit constructor holds the double exactly
    CHECK_FALSE(contains(locus::Ball(0.1), Rational(1, 10)));
    CHECK(locus::Ball(0.1).is_exact());
  }

  TEST_CASE("parse: rational is exact") {
    auto g = locus::test::rng(7004);
    for (int i = 0; i < 100; ++i) {
      const std::string text = random_decimal(g);
      CHECK(parse_scalar<Rational>(text) == parse_rational(text));
    }
  }
}
