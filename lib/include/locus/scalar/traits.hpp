// locus/scalar/traits.hpp: ScalarTraits<Scalar>, the single customisation point of the scalar
// tower.
//
// Every arithmetic locus computes in is a `Scalar` type with a specialisation of ScalarTraits,
// modelled on Eigen::NumTraits. Generic code asks the traits, never `std::is_same_v<Scalar,
// double>`; how sure a result is comes from them too (scalar/rigour.hpp, docs/math/rigour.md):
//
//   | member                | meaning                                                          |
//   |-----------------------|------------------------------------------------------------------|
//   | kind                  | ScalarKind: Binary, Extended, Quad, Mpfr, Rational, Ball         |
//   | is_exact              | arithmetic is exact (+ - * / never round): Rational              |
//   | is_rigorous           | results are exact or certified enclosures: Rational, Ball        |
//   | is_interval           | values are sets (balls), comparisons are three-valued            |
//   | has_transcendentals   | exp, log, tanh, sqrt, erf, atan are available                    |
//   | is_multiprecision     | numbers of BITS chosen by the user, with limbs on the heap: MPFR |
//   |                       | and balls (their eigensolvers are slow; their size is in bits)   |
//   | is_native_double      | the scalar is IEEE binary64 itself (BLAS, LAPACK, MPI_DOUBLE)    |
//   | digits()              | significand bits (0 for exact arithmetic)                        |
//   | epsilon()             | 2^(1-digits), the unit roundoff scale (0 for exact)              |
//   | default_tolerance()   | what replaces a bare 1e-12 in generic comparisons (0 for exact)  |
//   | name()                | the arithmetic's CLI name: "double", "mpfr:256", "ball:128", ... |
//   | to_double(x)          | nearest double (midpoint for balls)                              |
//   | to_rational(x)        | the exact rational value (the midpoint for balls)                |
//   | from_ratio(p, q)      | p/q rounded to nearest (enclosed for balls, exact for Rational)  |
//   | from_rational(r)      | r rounded to nearest (enclosed for balls, exact for Rational)    |
//   | to_string(x)          | text that parses back to the same value (balls: "[mid +/- rad]") |
//   | is_finite(x)          | not NaN/Inf (balls: finite midpoint and radius)                  |
//
// Each family's header (binary.hpp, float128.hpp, mpfr.hpp, rational.hpp, ball.hpp) specialises it
// once. `scalar/all.hpp` includes them all and defines the list of built-in scalars.
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

namespace locus {

/// The family an arithmetic belongs to.
enum class ScalarKind { Binary, Extended, Quad, Mpfr, Rational, Ball };

/// Primary template: undefined, so that an unsupported scalar fails to compile at the first use.
template <class Scalar>
struct ScalarTraits;

/// True when ScalarTraits<Scalar> is specialised.
template <class Scalar, class = void>
struct is_locus_scalar : std::false_type {};
template <class Scalar>
struct is_locus_scalar<Scalar, std::void_t<decltype(ScalarTraits<Scalar>::kind)>> : std::true_type {
};
template <class Scalar>
inline constexpr bool is_locus_scalar_v = is_locus_scalar<Scalar>::value;

/// Defaults for floating types with a std::numeric_limits specialisation (like
/// Eigen::GenericNumTraits): digits, epsilon and the default tolerance 2^(-floor(3*digits/4)),
/// which is about 1.8e-12 for double and leaves a quarter of the digits for accumulated rounding.
template <class Scalar>
struct GenericScalarTraits {
  static constexpr bool is_exact = false;
  static constexpr bool is_rigorous = false;
  static constexpr bool is_interval = false;
  static constexpr bool has_transcendentals = true;
  static constexpr bool is_multiprecision = false;
  static constexpr bool is_native_double = false;

  static int digits() { return std::numeric_limits<Scalar>::digits; }
  static Scalar epsilon() { return std::numeric_limits<Scalar>::epsilon(); }
  static Scalar default_tolerance() {
    using std::ldexp;
    return ldexp(Scalar(1), -(3 * digits()) / 4);
  }
  static bool is_finite(const Scalar& x) {
    using std::isfinite;
    return isfinite(x);
  }
};

/// Significant decimal digits that make a `bits`-bit binary value round-trip through text:
/// 1 + ceil(bits * log10(2)).
constexpr int round_trip_decimal_digits(long bits) {
  return static_cast<int>(1 + (bits * 30103 + 99999) / 100000);
}

/// p/q in the arithmetic Scalar: exact for Rational, an enclosure for balls, rounded to nearest
/// otherwise. Use it for constants in generic code instead of writing `0.1`.
/// \code
///   Scalar third = locus::ratio<Scalar>(1, 3);
/// \endcode
template <class Scalar>
Scalar ratio(long long p, long long q = 1) {
  return ScalarTraits<Scalar>::from_ratio(p, q);
}

}  // namespace locus
