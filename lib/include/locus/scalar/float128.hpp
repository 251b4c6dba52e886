// locus/scalar/float128.hpp: IEEE binary128 (113-bit significand) through libquadmath, as Boost's
// `float128` with expression templates off.
//
// Every translation unit that includes this header needs -fext-numeric-literals under strict
// -std=c++20; the locus::scalar target propagates it (docs/toolchain.md, item 5). Available only when
// LOCUS_HAS_FLOAT128 is 1.
#pragma once

#include "locus/config.hpp"

#if LOCUS_HAS_FLOAT128

#include <string>

#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

#include <boost/multiprecision/float128.hpp>

namespace locus {

/// IEEE binary128.
using Float128 = boost::multiprecision::number<boost::multiprecision::float128_backend,
                                               boost::multiprecision::et_off>;

namespace detail {
Float128 float128_from_rational(const Rational& x);
Rational rational_from_float128(const Float128& x);
std::string float128_to_string(const Float128& x);
}  // namespace detail

template <>
struct ScalarTraits<Float128> : GenericScalarTraits<Float128> {
  static constexpr ScalarKind kind = ScalarKind::Quad;
  static std::string name() { return "float128"; }
  static double to_double(const Float128& x) { return x.convert_to<double>(); }
  static Rational to_rational(const Float128& x) { return detail::rational_from_float128(x); }
  static Float128 from_ratio(long long p, long long q) {
    return detail::float128_from_rational(Rational(p, q));
  }
  static Float128 from_rational(const Rational& x) { return detail::float128_from_rational(x); }
  static std::string to_string(const Float128& x) { return detail::float128_to_string(x); }
  static bool is_finite(const Float128& x) { return boost::multiprecision::isfinite(x); }
};

}  // namespace locus

#endif  // LOCUS_HAS_FLOAT128
