// locus/scalar/certainty.hpp: three-valued truth for rigorous (ball) arithmetic.
//
// A ball comparison is True only when it holds for every pair of points in the balls, False only
// when it fails for every pair, and Unknown otherwise (Arb's convention: predicates say
// "certainly").
#pragma once

#include <string_view>

namespace locus {

/// The outcome of a rigorous predicate.
enum class Certainty { True, False, Unknown };

/// "True", "False" or "Unknown".
constexpr std::string_view to_string(Certainty c) noexcept {
  switch (c) {
    case Certainty::True:
      return "True";
    case Certainty::False:
      return "False";
    case Certainty::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

/// True iff c is Certainty::True.
constexpr bool is_certain(Certainty c) noexcept {
  return c == Certainty::True;
}

/// Logical negation: True <-> False, Unknown stays Unknown.
constexpr Certainty operator!(Certainty c) noexcept {
  return c == Certainty::True ? Certainty::False
                              : (c == Certainty::False ? Certainty::True : Certainty::Unknown);
}

/// Kleene conjunction.
constexpr Certainty operator&&(Certainty a, Certainty b) noexcept {
  if (a == Certainty::False || b == Certainty::False) return Certainty::False;
  if (a == Certainty::True && b == Certainty::True) return Certainty::True;
  return Certainty::Unknown;
}

/// Kleene disjunction.
constexpr Certainty operator||(Certainty a, Certainty b) noexcept {
  if (a == Certainty::True || b == Certainty::True) return Certainty::True;
  if (a == Certainty::False && b == Certainty::False) return Certainty::False;
  return Certainty::Unknown;
}

}  // namespace locus
