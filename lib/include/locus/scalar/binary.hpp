// locus/scalar/binary.hpp: the hardware floating types, `double` (IEEE binary64, 53 bits) and
// `long double` (x87 extended, 64 bits on x86-64).
#pragma once

#include <string>

#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

namespace locus {

namespace detail {
double double_from_rational(const Rational& x);
long double long_double_from_rational(const Rational& x);
Rational rational_from_double(double x);
Rational rational_from_long_double(long double x);
std::string double_to_string(double x);
std::string long_double_to_string(long double x);
}  // namespace detail

template <>
struct ScalarTraits<double> : GenericScalarTraits<double> {
  static constexpr ScalarKind kind = ScalarKind::Binary;
  static constexpr bool is_native_double = true;
  static std::string name() { return "double"; }
  static double to_double(double x) { return x; }
  /// \throws InvalidArgument if x is NaN or infinite (not a rational).
  static Rational to_rational(double x) { return detail::rational_from_double(x); }
  static double from_ratio(long long p, long long q) {
    return detail::double_from_rational(Rational(p, q));
  }
  static double from_rational(const Rational& x) { return detail::double_from_rational(x); }
  /// Shortest text that round-trips (fmt's "{}").
  static std::string to_string(double x) { return detail::double_to_string(x); }
};

template <>
struct ScalarTraits<long double> : GenericScalarTraits<long double> {
  static constexpr ScalarKind kind = ScalarKind::Extended;
  static std::string name() { return "long-double"; }
  static double to_double(long double x) { return static_cast<double>(x); }
  static Rational to_rational(long double x) { return detail::rational_from_long_double(x); }
  static long double from_ratio(long long p, long long q) {
    return detail::long_double_from_rational(Rational(p, q));
  }
  static long double from_rational(const Rational& x) {
    return detail::long_double_from_rational(x);
  }
  static std::string to_string(long double x) { return detail::long_double_to_string(x); }
};

}  // namespace locus
