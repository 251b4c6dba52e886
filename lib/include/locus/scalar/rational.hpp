// locus/scalar/rational.hpp: exact rational arithmetic, locus::Rational = GMP mpq via
// Boost.Multiprecision with expression templates off (no dangling `auto` expressions).
//
// Rational is the reference arithmetic of locus: every number in a problem file is a rational,
// every other arithmetic is reached by rounding (or enclosing) it once. It has no transcendentals:
// asking for exp(3/10) in `rational` is an UnsupportedScalar error, never a silent rounding.
#pragma once

#include <string>
#include <string_view>

#include "locus/scalar/traits.hpp"

#include <boost/multiprecision/gmp.hpp>

namespace locus {

/// Exact rationals (GMP mpq_t), always in lowest terms.
using Rational = boost::multiprecision::number<boost::multiprecision::gmp_rational,
                                               boost::multiprecision::et_off>;
/// Exact integers (GMP mpz_t).
using Integer =
    boost::multiprecision::number<boost::multiprecision::gmp_int, boost::multiprecision::et_off>;

/// Parses an exact rational from text.
///
/// Accepted forms (surrounding whitespace allowed, nothing else):
///   - decimal: `[+-]digits[.digits][(e|E)[+-]digits]` or `[+-].digits[...]`, meaning exactly the
///     decimal it spells ("0.1" is 1/10, "1e-3" is 1/1000);
///   - ratio: `[+-]digits/digits` with a nonzero denominator ("-1/3").
/// \throws ParseError naming the text and the accepted forms on anything else (empty text, "nan",
///   "inf", "1/0", "0x10", "1.2.3", exponents beyond +-100000).
/// Cost: linear in the number of digits.
Rational parse_rational(std::string_view text);

/// "p/q", or "p" when the denominator is 1: the exact form used in files and JSON output.
std::string to_string(const Rational& x);

/// The double nearest to x (ties to even; +-inf beyond the double range). Unlike
/// Rational::convert_to<double>(), which truncates, this is correctly rounded.
double to_double_nearest(const Rational& x);

template <>
struct ScalarTraits<Rational> {
  static constexpr ScalarKind kind = ScalarKind::Rational;
  static constexpr bool is_exact = true;
  static constexpr bool is_rigorous = true;
  static constexpr bool is_interval = false;
  static constexpr bool has_transcendentals = false;
  static constexpr bool is_multiprecision = false;
  static constexpr bool is_native_double = false;

  static int digits() { return 0; }
  static Rational epsilon() { return Rational(0); }
  static Rational default_tolerance() { return Rational(0); }
  static std::string name() { return "rational"; }
  static double to_double(const Rational& x) { return to_double_nearest(x); }
  static Rational to_rational(const Rational& x) { return x; }
  static Rational from_ratio(long long p, long long q) { return Rational(p, q); }
  static Rational from_rational(const Rational& x) { return x; }
  static std::string to_string(const Rational& x) { return locus::to_string(x); }
  static bool is_finite(const Rational&) { return true; }
};

}  // namespace locus
