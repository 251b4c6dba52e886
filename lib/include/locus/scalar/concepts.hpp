// locus/scalar/concepts.hpp: what generic code may ask of a Scalar. Require the weakest that works.
//
//   Field           + - * / unary-, construction from int, ScalarTraits   (Rational, Ball, floats)
//   ExactField      Field with two-valued ==                                (Rational, floats)
//   OrderedField    ExactField with <                                       (Rational, floats)
//   RealField       OrderedField with sqrt, exp, log, tanh by ADL            (floats)
//   IntervalScalar  Field whose values are sets: lower, upper, contains     (Ball)
//
// Exact rank, inertia (LDL^T) and null spaces need only OrderedField (pivot choice by exact
// comparison); eigendecompositions and Newton need RealField; rigorous linear algebra is written
// against IntervalScalar.
#pragma once

#include <cmath>
#include <concepts>

#include "locus/scalar/traits.hpp"

namespace locus {

namespace detail::adl {
// Inside this namespace the std overloads are visible to unqualified calls, as in generic code that
// writes `using std::sqrt; sqrt(x)`; ADL adds the scalar's own (Boost, locus::Ball).
using std::exp;
using std::log;
using std::sqrt;
using std::tanh;
template <class S>
concept HasTranscendentals = requires(S a) {
  { sqrt(a) } -> std::convertible_to<S>;
  { exp(a) } -> std::convertible_to<S>;
  { log(a) } -> std::convertible_to<S>;
  { tanh(a) } -> std::convertible_to<S>;
};
}  // namespace detail::adl

/// A locus scalar with the four operations (balls included: their operations enclose).
template <class S>
concept Field = is_locus_scalar_v<S> && std::copyable<S> && requires(S a, S b) {
  { a + b } -> std::convertible_to<S>;
  { a - b } -> std::convertible_to<S>;
  { a* b } -> std::convertible_to<S>;
  { a / b } -> std::convertible_to<S>;
  { -a } -> std::convertible_to<S>;
  S(0);
  S(1);
};

/// A Field whose == is equality of values (not balls, whose == is structural identity).
template <class S>
concept ExactField = Field<S> && std::equality_comparable<S>;

/// An ExactField with a total order: floating types and Rational.
template <class S>
concept OrderedField = ExactField<S> && std::totally_ordered<S>;

/// An OrderedField with exp, log, sqrt and tanh: the floating types (not Rational).
template <class S>
concept RealField =
    OrderedField<S> && ScalarTraits<S>::has_transcendentals && detail::adl::HasTranscendentals<S>;

/// A scalar whose values are sets with end points and containment: Ball.
template <class S>
concept IntervalScalar = Field<S> && ScalarTraits<S>::is_interval && requires(S a) {
  a.lower();
  a.upper();
  { contains(a, a) } -> std::convertible_to<bool>;
};

}  // namespace locus
