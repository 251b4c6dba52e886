// locus/scalar/arithmetic.hpp: run-time choice of the arithmetic.
//
// Every numeric command takes `--arithmetic NAME` (docs/interfaces.md:
//
//   | NAME          | Scalar             | notes                                              |
//   |---------------|--------------------|----------------------------------------------------|
//   | double        | double             | IEEE binary64                                      |
//   | long-double   | long double        | x87 extended, 64-bit significand                   |
//   | float128      | Float128           | IEEE binary128 (if built with LOCUS_WITH_FLOAT128) |
//   | mpfr:BITS     | Mpfr<BITS>         | BITS in 128, 256, 512, 1024                        |
//   | rational      | Rational           | exact                                              |
//   | ball:BITS     | Ball               | Arb balls, any BITS in [2, 2^24]                   |
//
// dispatch(arithmetic, f) calls f(std::type_identity<Scalar>{}) with the compiled Scalar; for balls
// it sets the thread's working precision for the duration of the call. f must return the same type
// for every Scalar.
//
//   \code
//   auto a = locus::parse_arithmetic("mpfr:256");
//   std::string third = locus::dispatch(a, []<class S>(std::type_identity<S>) {
//     return locus::format_scalar(locus::ratio<S>(1, 3));
//   });
//   \endcode
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"

#include <fmt/format.h>

namespace locus {

/// A parsed arithmetic name.
struct Arithmetic {
  ScalarKind kind = ScalarKind::Binary;
  /// Precision asked for: BITS for mpfr:BITS and ball:BITS, the significand bits otherwise, 0 for
  /// rational.
  int bits = 53;

  /// The canonical name ("double", "mpfr:256", "ball:300", ...); parse_arithmetic(name()) gives
  /// this value back. Does not throw.
  [[nodiscard]] std::string name() const;
  friend bool operator==(const Arithmetic&, const Arithmetic&) = default;

  /// ball:BITS and mpfr:BITS without text (BITS as parse_arithmetic accepts; not checked here).
  static Arithmetic ball(int bits) { return {ScalarKind::Ball, bits}; }
  static Arithmetic mpfr(int bits) { return {ScalarKind::Mpfr, bits}; }
};

/// One line of `locus scalars`.
struct ArithmeticInfo {
  std::string name;         ///< "mpfr:256"
  std::string scalar_type;  ///< "locus::Mpfr<256>"
  int bits = 0;             ///< significand bits actually carried (0: exact; balls: default)
  bool exact = false;
  bool rigorous = false;
  std::string description;
  /// A value to run it with (balls at 128 bits): what `locus scalars` and `locus demo` use.
  Arithmetic arithmetic;
};

/// Parses an arithmetic name.
/// \throws UnsupportedScalar naming the text and every accepted form (accepted_arithmetic_forms())
///   for unknown names, malformed or out-of-range BITS, and arithmetics not built in.
Arithmetic parse_arithmetic(std::string_view text);

/// "double, long-double, float128, mpfr:BITS (BITS = 128, 256, 512 or 1024), rational, ball:BITS
/// (BITS an integer from 2 to 16777216)".
std::string accepted_arithmetic_forms();

/// The arithmetics built into this binary, one entry per concrete scalar (balls at the default
/// precision of 128 bits, with any other precision available at run time). Does not throw.
std::vector<ArithmeticInfo> builtin_arithmetics();

namespace detail {
[[noreturn]] void throw_not_built(const Arithmetic& a);
}  // namespace detail

/// Calls f(std::type_identity<Scalar>{}) for the Scalar named by `a`.
/// Guarantee: for ScalarKind::Ball, ball_precision() == a.bits during the call.
/// \throws UnsupportedScalar if `a` is not compiled in; whatever f throws.
template <class F>
decltype(auto) dispatch(const Arithmetic& a, F&& f) {
  switch (a.kind) {
    case ScalarKind::Binary:
      return std::forward<F>(f)(std::type_identity<double>{});
    case ScalarKind::Extended:
      return std::forward<F>(f)(std::type_identity<long double>{});
    case ScalarKind::Quad:
#if LOCUS_HAS_FLOAT128
      return std::forward<F>(f)(std::type_identity<Float128>{});
#else
      detail::throw_not_built(a);
#endif
    case ScalarKind::Mpfr:
      switch (a.bits) {
        case 128:
          return std::forward<F>(f)(std::type_identity<Mpfr<128>>{});
        case 256:
          return std::forward<F>(f)(std::type_identity<Mpfr<256>>{});
        case 512:
          return std::forward<F>(f)(std::type_identity<Mpfr<512>>{});
        case 1024:
          return std::forward<F>(f)(std::type_identity<Mpfr<1024>>{});
        default:
          detail::throw_not_built(a);
      }
    case ScalarKind::Rational:
      return std::forward<F>(f)(std::type_identity<Rational>{});
    case ScalarKind::Ball: {
      ScopedBallPrecision precision(a.bits);
      return std::forward<F>(f)(std::type_identity<Ball>{});
    }
  }
  detail::throw_not_built(a);
}

/// dispatch(parse_arithmetic(name), f).
template <class F>
decltype(auto) dispatch(std::string_view name, F&& f) {
  return dispatch(parse_arithmetic(name), std::forward<F>(f));
}

/// ScalarTraits<S>::is_rigorous for the scalar S that `a` names: its results are exact or
/// enclosures. \throws UnsupportedScalar if `a` is not compiled in.
[[nodiscard]] bool is_rigorous(const Arithmetic& a);

/// True when `a` names IEEE double itself (the scalar of the matrix-free numerical solvers).
/// \throws as is_rigorous.
[[nodiscard]] bool is_native_double(const Arithmetic& a);

/// True when `a` and `b` name the same compiled scalar type (every ball precision is the one Ball
/// type; mpfr:128 and mpfr:256 are two types). \throws as is_rigorous.
[[nodiscard]] bool same_scalar_type(const Arithmetic& a, const Arithmetic& b);

/// The rigorous arithmetic that certifies what is asked in `a`: `a` itself when its scalar is
/// rigorous (ScalarTraits), balls of the same precision for an MPFR arithmetic (an MPFR request is
/// certified with balls), none for the other floating-point types. \throws as is_rigorous.
[[nodiscard]] std::optional<Arithmetic> certifying_arithmetic(const Arithmetic& a);

/// Calls f(std::type_identity<S>{}) for the rigorous scalar S of certifying_arithmetic(a) (with
/// the ball precision set), f being instantiated for rigorous scalars only.
/// \throws InvalidArgument naming `who`, the arithmetic and the accepted ones when `a` has no
///   certifying arithmetic; whatever f throws.
template <class F>
decltype(auto) dispatch_certifying(const Arithmetic& a, std::string_view who, F&& f) {
  const std::optional<Arithmetic> rigorous = certifying_arithmetic(a);
  if (!rigorous) {
    throw InvalidArgument(
        fmt::format("{}: the arithmetic {} cannot certify; use rational, ball:BITS or mpfr:BITS "
                    "(certified with balls of the same precision)",
                    who,
                    a.name()));
  }
  return dispatch(*rigorous, [&]<class S>(std::type_identity<S> t) -> decltype(auto) {
    if constexpr (ScalarTraits<S>::is_rigorous) {
      return f(t);
    } else {
      // not reached: certifying_arithmetic names rigorous scalars only
      return f(std::type_identity<Rational>{});
    }
  });
}

}  // namespace locus
