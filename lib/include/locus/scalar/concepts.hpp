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

#include <concepts>

#include "locus/scalar/traits.hpp"

namespace locus {

template <class S>
concept Field = is_locus_scalar_v<S> && std::copyable<S> && requires(S a, S b) {
  { a + b } -> std::convertible_to<S>;
  { a - b } -> std::convertible_to<S>;
  { a * b } -> std::convertible_to<S>;
  { a / b } -> std::convertible_to<S>;
  { -a } -> std::convertible_to<S>;
  S(0);
  S(1);
};

template <class S>
concept ExactField = Field<S> && std::equality_comparable<S>;

template <class S>
concept OrderedField = ExactField<S> && std::totally_ordered<S>;

template <class S>
concept RealField = OrderedField<S> && ScalarTraits<S>::has_transcendentals && requires(S a) {
  { sqrt(a) } -> std::convertible_to<S>;
  { exp(a) } -> std::convertible_to<S>;
  { log(a) } -> std::convertible_to<S>;
  { tanh(a) } -> std::convertible_to<S>;
};

template <class S>
concept IntervalScalar = Field<S> && ScalarTraits<S>::is_interval && requires(S a) {
  a.lower();
  a.upper();
  { contains(a, a) } -> std::convertible_to<bool>;
};

}  // namespace locus
