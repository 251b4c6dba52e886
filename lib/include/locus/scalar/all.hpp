// locus/scalar/all.hpp: every built-in scalar type, and the lists generic code and tests iterate
// over.
//
//   double, long double, Float128 (if LOCUS_HAS_FLOAT128), Mpfr<128|256|512|1024>, Rational, Ball
//
// LOCUS_FOR_EACH_SCALAR(X) expands X(Type, tag) for each; explicit-instantiation files and
// `extern template` declarations use it.
#pragma once

#include <tuple>

#include "locus/config.hpp"
#include "locus/scalar/ball.hpp"
#include "locus/scalar/binary.hpp"
#include "locus/scalar/certainty.hpp"
#include "locus/scalar/concepts.hpp"
#include "locus/scalar/float128.hpp"
#include "locus/scalar/mpfr.hpp"
#include "locus/scalar/rational.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/scalar/traits.hpp"

namespace locus {

using Mpfr128 = Mpfr<128>;
using Mpfr256 = Mpfr<256>;
using Mpfr512 = Mpfr<512>;
using Mpfr1024 = Mpfr<1024>;

/// A compile-time list of types.
template <class... Ts>
struct TypeList {
  static constexpr std::size_t size = sizeof...(Ts);
  using Tuple = std::tuple<Ts...>;
};

#if LOCUS_HAS_FLOAT128
#define LOCUS_FLOAT128_COMMA Float128,
#else
#define LOCUS_FLOAT128_COMMA
#endif

/// The floating (rounding, RealField) scalars.
using FloatingScalars =
    TypeList<double, long double, LOCUS_FLOAT128_COMMA Mpfr128, Mpfr256, Mpfr512, Mpfr1024>;
/// Every built-in scalar.
using BuiltinScalars = TypeList<double,
                                long double,
                                LOCUS_FLOAT128_COMMA Mpfr128,
                                Mpfr256,
                                Mpfr512,
                                Mpfr1024,
                                Rational,
                                Ball>;

}  // namespace locus

#if LOCUS_HAS_FLOAT128
#define LOCUS_FOR_EACH_FLOAT128(X) X(::locus::Float128, float128)
#else
#define LOCUS_FOR_EACH_FLOAT128(X)
#endif

/// X(Type, tag) for every floating scalar.
#define LOCUS_FOR_EACH_FLOATING_SCALAR(X) \
  X(double, double)                       \
  X(long double, long_double)             \
  LOCUS_FOR_EACH_FLOAT128(X)              \
  X(::locus::Mpfr128, mpfr128)            \
  X(::locus::Mpfr256, mpfr256)            \
  X(::locus::Mpfr512, mpfr512)            \
  X(::locus::Mpfr1024, mpfr1024)

/// X(Type, tag) for every scalar that works with Eigen's decompositions (floating + Rational).
#define LOCUS_FOR_EACH_ORDERED_SCALAR(X) \
  LOCUS_FOR_EACH_FLOATING_SCALAR(X)      \
  X(::locus::Rational, rational)

/// X(Type, tag) for every built-in scalar.
#define LOCUS_FOR_EACH_SCALAR(X)   \
  LOCUS_FOR_EACH_ORDERED_SCALAR(X) \
  X(::locus::Ball, ball)
