// locus/scalar/parse.hpp: exact text -> scalar conversion.
//
// Text is first read as an exact rational (parse_rational: decimals mean exactly what they spell,
// "p/q" is exact), then rounded once into the target arithmetic: to nearest for floating types, not
// at all for Rational, and outward for balls, so a ball parsed from "0.1" contains 1/10.
#pragma once

#include <string_view>

#include "locus/error.hpp"
#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

#include <fmt/format.h>

namespace locus {

/// Parses `text` into Scalar, rounding exactly once.
/// \tparam Scalar any locus scalar.
/// \returns the value of `text` rounded to nearest (floats), exact (Rational), enclosed (Ball,
///   at the thread's working precision).
/// \throws ParseError if `text` is not a decimal or p/q literal (see parse_rational) or its value
///   overflows Scalar's range (the message names the text and the arithmetic).
template <class Scalar>
Scalar parse_scalar(std::string_view text) {
  const Rational exact = parse_rational(text);
  Scalar x = ScalarTraits<Scalar>::from_rational(exact);
  if (!ScalarTraits<Scalar>::is_finite(x)) {
    throw ParseError(fmt::format("number '{}' is out of the range of the arithmetic {}",
                                 text,
                                 ScalarTraits<Scalar>::name()));
  }
  return x;
}

/// Formats x so that parse_scalar<Scalar> gives x back (balls: "[mid +/- rad]", which contains x).
/// Does not throw except std::bad_alloc.
template <class Scalar>
std::string format_scalar(const Scalar& x) {
  return ScalarTraits<Scalar>::to_string(x);
}

}  // namespace locus
