// locus/scalar/rigour.hpp: how sure a result is, as a type derived from the scalar that computed
// it, and sign decisions that are generic over the scalar.
//
// Three levels of rigour (docs/math/rigour.md):
//
//   | Rigour         | computed in                   | a "holds" from it is              |
//   |----------------|-------------------------------|-----------------------------------|
//   | Exact          | Rational (no rounding at all) | a proof                           |
//   | Enclosure      | Ball (Arb, rigorous radii)    | a proof                           |
//   | FloatingPoint  | double ... MPFR (rounded)     | evidence, never a proof           |
//
// `Evidence` is the only way a result says how it was obtained. It cannot be made from a name or an
// enum value: `Evidence::of<Scalar>()` reads ScalarTraits<Scalar>, `weakest` combines two pieces
// (a conclusion is as strong as its weakest step), and `conditional` turns any evidence into
// floating-point strength (a statement that rests on an unproved hypothesis). Nothing raises it.
//
//   \code
//   locus::Evidence e = locus::Evidence::of<locus::Ball>();     // enclosure, "ball:256"
//   e = weakest(e, locus::Evidence::of<double>());  // found by ADL: floating point, "double"
//   assert(!e.proves());
//   \endcode
//
// The decisions `decide_zero`, `decide_positive`, `decide_negative` return Certainty for every
// scalar: decided exactly for Rational, by enclosure for Ball, and Unknown for every floating type
// (a rounded value never proves a sign). Code that wants floating-point evidence compares against a
// tolerance from ScalarTraits explicitly.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "locus/scalar/certainty.hpp"
#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

namespace locus {

/// How a value was obtained: exactly, as a rigorous enclosure, or by rounded floating point.
/// Ordered by strength (FloatingPoint < Enclosure < Exact).
enum class Rigour { FloatingPoint = 0, Enclosure = 1, Exact = 2 };

/// "floating-point", "enclosure" or "exact".
constexpr std::string_view to_string(Rigour r) noexcept {
  switch (r) {
    case Rigour::Exact:
      return "exact";
    case Rigour::Enclosure:
      return "enclosure";
    case Rigour::FloatingPoint:
      return "floating-point";
  }
  return "floating-point";
}

/// The rigour of results computed in Scalar, from its traits alone.
template <class Scalar>
constexpr Rigour rigour_of() noexcept {
  if constexpr (ScalarTraits<Scalar>::is_exact) {
    return Rigour::Exact;
  } else if constexpr (ScalarTraits<Scalar>::is_rigorous) {
    return Rigour::Enclosure;
  } else {
    return Rigour::FloatingPoint;
  }
}

/// The rigour of a result and the arithmetic that produced it. Only Evidence::of<Scalar>() creates
/// a proving one (the default is "nothing proved"); weakest() and conditional() can only lower it.
/// `proves()` is true exactly when every step was exact or enclosed and no step rested on an
/// unproved hypothesis.
class Evidence {
 public:
  /// No evidence yet: floating-point strength, no arithmetic (proves nothing).
  Evidence() = default;
  /// Evidence of a computation in Scalar: rigour_of<Scalar>() and ScalarTraits<Scalar>::name()
  /// (for balls the thread's working precision, so call it inside the computation).
  template <class Scalar>
  static Evidence of() {
    return Evidence(rigour_of<Scalar>(), ScalarTraits<Scalar>::name());
  }

  [[nodiscard]] Rigour rigour() const noexcept { return rigour_; }
  /// The arithmetic(s) of the computation, e.g. "ball:256" or "rational,double".
  [[nodiscard]] const std::string& arithmetic() const noexcept { return arithmetic_; }
  /// True when the rigour is Exact or Enclosure.
  [[nodiscard]] bool proves() const noexcept { return rigour_ != Rigour::FloatingPoint; }

  /// The weaker of a and b; the arithmetic names are joined ("rational,double") when they differ.
  friend Evidence weakest(const Evidence& a, const Evidence& b) {
    const Rigour r = a.rigour_ < b.rigour_ ? a.rigour_ : b.rigour_;
    if (a.arithmetic_ == b.arithmetic_ || b.arithmetic_.empty()) return Evidence(r, a.arithmetic_);
    if (a.arithmetic_.empty()) return Evidence(r, b.arithmetic_);
    return Evidence(r, a.arithmetic_ + "," + b.arithmetic_);
  }
  /// The same computation, but resting on a hypothesis that was not proved: floating-point
  /// strength (evidence, never a proof), whatever the arithmetic.
  [[nodiscard]] Evidence conditional() const {
    return Evidence(Rigour::FloatingPoint, arithmetic_);
  }

  friend bool operator==(const Evidence&, const Evidence&) = default;

 private:
  Evidence(Rigour r, std::string arithmetic) : rigour_(r), arithmetic_(std::move(arithmetic)) {}
  Rigour rigour_ = Rigour::FloatingPoint;
  std::string arithmetic_;
};

/// The relations to 0 that a scalar can be asked to decide.
enum class SignRelation { Zero, Positive, Negative };

/// Does x stand in relation `r` to 0? The one decision every scalar makes about a sign:
/// - exact scalars: True or False, decided exactly;
/// - interval scalars: the ball's own certainly_zero/positive/negative (True only if every point
///   of the ball satisfies it, False only if none does; certainly_zero is True only for the exact
///   ball {0});
/// - floating scalars: Unknown, always: a rounded value decides nothing.
/// Does not throw.
template <class Scalar>
Certainty decide(const Scalar& x, SignRelation r) {
  if constexpr (ScalarTraits<Scalar>::is_exact) {
    const bool holds = r == SignRelation::Zero       ? x == 0
                       : r == SignRelation::Positive ? x > 0
                                                     : x < 0;
    return holds ? Certainty::True : Certainty::False;
  } else if constexpr (ScalarTraits<Scalar>::is_interval) {
    return r == SignRelation::Zero       ? certainly_zero(x)
           : r == SignRelation::Positive ? certainly_positive(x)
                                         : certainly_negative(x);
  } else {
    (void)x;
    (void)r;
    return Certainty::Unknown;
  }
}

/// Is x = 0? decide(x, SignRelation::Zero).
template <class Scalar>
Certainty decide_zero(const Scalar& x) {
  return decide(x, SignRelation::Zero);
}

/// Is x > 0? decide(x, SignRelation::Positive).
template <class Scalar>
Certainty decide_positive(const Scalar& x) {
  return decide(x, SignRelation::Positive);
}

/// Is x < 0? decide(x, SignRelation::Negative).
template <class Scalar>
Certainty decide_negative(const Scalar& x) {
  return decide(x, SignRelation::Negative);
}

/// An upper bound of |x| as an exact rational: |x| itself for exact scalars, the upper end of
/// |ball| for intervals (rigorous), and the rounded |x| for floating scalars (not a bound).
/// \throws InvalidArgument for a NaN or infinite x, or a ball that is not finite.
template <class Scalar>
Rational abs_upper(const Scalar& x) {
  if constexpr (ScalarTraits<Scalar>::is_exact) {
    return x < 0 ? Rational(-x) : Rational(x);
  } else if constexpr (ScalarTraits<Scalar>::is_interval) {
    return abs(x).upper();
  } else {
    using std::abs;
    return ScalarTraits<Scalar>::to_rational(Scalar(abs(x)));
  }
}

/// True when x is certainly nonzero (decide_zero(x) is False): never for floating scalars.
template <class Scalar>
bool certainly_nonzero(const Scalar& x) {
  return decide_zero(x) == Certainty::False;
}

}  // namespace locus
