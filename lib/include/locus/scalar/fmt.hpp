// locus/scalar/fmt.hpp: fmt::formatter for the multiprecision scalars and balls (fmt 9 no longer
// formats through operator<<). Every scalar formats as ScalarTraits<Scalar>::to_string: round-trip
// digits for floating types, "p/q" for rationals, "[mid +/- rad]" for balls.
//
//   \code
//   fmt::print("{}\n", locus::ratio<locus::Mpfr<256>>(1, 3));
//   \endcode
#pragma once

#include <string_view>

#include "locus/scalar/ball.hpp"
#include "locus/scalar/traits.hpp"

#include <boost/multiprecision/number.hpp>

#include <fmt/format.h>

template <class Backend, boost::multiprecision::expression_template_option Et>
struct fmt::formatter<boost::multiprecision::number<Backend, Et>>
    : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const boost::multiprecision::number<Backend, Et>& x, FormatContext& ctx) const {
    const std::string s =
        locus::ScalarTraits<boost::multiprecision::number<Backend, Et>>::to_string(x);
    return fmt::formatter<std::string_view>::format(s, ctx);
  }
};

template <>
struct fmt::formatter<locus::Ball> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const locus::Ball& x, FormatContext& ctx) const {
    const std::string s = locus::ScalarTraits<locus::Ball>::to_string(x);
    return fmt::formatter<std::string_view>::format(s, ctx);
  }
};
