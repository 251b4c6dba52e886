// locus/scalar/ball.hpp: rigorous ball arithmetic, locus::Ball, a value type over Arb's arb_t.
//
// A Ball is a set [m - r, m + r] (binary midpoint m, radius r). Every operation returns a ball that
// contains the exact result for every choice of points in the operands (Arb's guarantee), computed
// at the thread's working precision:
//
//   \code
//   locus::ScopedBallPrecision prec(256);        // working precision for this scope
//   locus::Ball x = locus::parse_scalar<locus::Ball>("0.1");   // contains exactly 1/10
//   locus::Ball y = exp(x) / 3;                   // contains e^(1/10) / 3
//   if (locus::certainly_less(y, locus::Ball(1)) == locus::Certainty::True) { ... }
//   \endcode
//
// Comparisons are three-valued (`certainly_less`, `certainly_positive`, ... return Certainty). The
// plain order operators < <= > >= are deleted: `a < b` on balls does not compile
// (tests/compile_fail/ball_less.cpp). `==` is structural identity of balls (same midpoint and
// radius), which Eigen needs; value equality is certainly_equal. The arithmetic's name is
// `ball:BITS`.
//
// Caution (as in Arb): Ball(0.1) made from the double 0.1 holds the double, not 1/10. Use
// parse_scalar<Ball>("0.1") or ratio<Ball>(1, 10). The double constructor is explicit for that
// reason.
#pragma once

#include <cstddef>
#include <string>

#include "locus/scalar/certainty.hpp"
#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

// Arb's C types without its headers: arb_struct is {arf_struct mid; mag_struct rad;} (6 words). The
// implementation (lib/src/scalar/ball.cpp) checks the size against the real definition.
namespace locus {
namespace detail {
struct ArbStorage {
  alignas(8) unsigned char bytes[48];
};
}  // namespace detail

/// The working precision (bits) of ball operations on this thread; 128 unless a
/// ScopedBallPrecision is active.
int ball_precision() noexcept;

/// Sets the thread's ball working precision for its lifetime and restores the previous one after.
class ScopedBallPrecision {
 public:
  /// \throws InvalidArgument unless 2 <= bits <= kBallMaxBits.
  explicit ScopedBallPrecision(int bits);
  ~ScopedBallPrecision();
  ScopedBallPrecision(const ScopedBallPrecision&) = delete;
  ScopedBallPrecision& operator=(const ScopedBallPrecision&) = delete;

 private:
  int previous_;
};

/// Largest accepted ball precision in bits.
inline constexpr int kBallMaxBits = 1 << 24;

/// A rigorous real ball (Arb arb_t).
class Ball {
 public:
  /// The exact ball {0}.
  Ball() noexcept;
  /// The exact ball {n}.
  Ball(int n) noexcept;        // NOLINT(google-explicit-constructor): Eigen writes Scalar(0)
  Ball(long n) noexcept;       // NOLINT(google-explicit-constructor)
  Ball(long long n) noexcept;  // NOLINT(google-explicit-constructor)
  /// The exact ball {x} for the binary double x (0.1 here is the double nearest 1/10!).
  /// \throws InvalidArgument if x is NaN or infinite.
  explicit Ball(double x);
  /// A ball containing the rational r, at the working precision.
  explicit Ball(const Rational& r);
  /// A ball containing [mid - rad, mid + rad], both rationals enclosed outward at the working
  /// precision. \throws InvalidArgument if rad < 0 (naming it).
  static Ball from_mid_rad(const Rational& mid, const Rational& rad);
  /// A ball containing the interval [lo, hi] (its midpoint ± half-width, enclosed outward).
  /// \throws InvalidArgument if hi < lo (naming both).
  static Ball from_interval(const Rational& lo, const Rational& hi);

  Ball(const Ball& other) noexcept;
  Ball(Ball&& other) noexcept;
  Ball& operator=(const Ball& other) noexcept;
  Ball& operator=(Ball&& other) noexcept;
  ~Ball();

  Ball& operator+=(const Ball& b) noexcept;
  Ball& operator-=(const Ball& b) noexcept;
  Ball& operator*=(const Ball& b) noexcept;
  /// Division by a ball containing 0 gives the indeterminate ball (is_finite() false).
  Ball& operator/=(const Ball& b) noexcept;
  /// *this += a * b in place, one enclosure step, no temporary (Arb's arb_addmul).
  Ball& add_product(const Ball& a, const Ball& b) noexcept;
  /// True when the ball is exactly zero (midpoint and radius 0).
  [[nodiscard]] bool is_zero() const noexcept;

  friend Ball operator+(Ball a, const Ball& b) noexcept { return a += b; }
  friend Ball operator-(Ball a, const Ball& b) noexcept { return a -= b; }
  friend Ball operator*(Ball a, const Ball& b) noexcept { return a *= b; }
  friend Ball operator/(Ball a, const Ball& b) noexcept { return a /= b; }
  friend Ball operator+(const Ball& a) noexcept { return a; }
  friend Ball operator-(const Ball& a) noexcept;

  // Two-valued comparisons are meaningless on sets: use certainly_less and friends.
  friend bool operator<(const Ball&, const Ball&) = delete;
  friend bool operator<=(const Ball&, const Ball&) = delete;
  friend bool operator>(const Ball&, const Ball&) = delete;
  friend bool operator>=(const Ball&, const Ball&) = delete;

  /// Structural identity: the same midpoint and the same radius (Arb's arb_equal). This is NOT
  /// equality of the enclosed reals; use certainly_equal for that. (Eigen's products need ==.)
  friend bool operator==(const Ball& a, const Ball& b) noexcept;
  friend bool operator!=(const Ball& a, const Ball& b) noexcept { return !(a == b); }

  /// The midpoint, exactly. \throws InvalidArgument if the ball is not finite.
  [[nodiscard]] Rational mid() const;
  /// The radius, exactly (an upper bound of the true error).
  /// \throws InvalidArgument if the ball is not finite.
  [[nodiscard]] Rational rad() const;
  /// Lower and upper end points, exactly. \throws InvalidArgument if the ball is not finite.
  [[nodiscard]] Rational lower() const;
  [[nodiscard]] Rational upper() const;
  /// Midpoint and radius rounded to double (the radius rounded up).
  [[nodiscard]] double mid_double() const noexcept;
  [[nodiscard]] double rad_double() const noexcept;
  /// Radius 0.
  [[nodiscard]] bool is_exact() const noexcept;
  /// Finite midpoint and radius.
  [[nodiscard]] bool is_finite() const noexcept;
  /// Bits of accuracy of the ball relative to its magnitude (Arb's arb_rel_accuracy_bits).
  [[nodiscard]] long rel_accuracy_bits() const noexcept;
  /// "[mid +/- rad]" with `digits` significant digits; the printed ball contains this one.
  [[nodiscard]] std::string to_string(int digits) const;

  /// The underlying Arb value, for calling Arb directly (cast to arb_ptr / arb_srcptr).
  void* arb() noexcept { return &storage_; }
  const void* arb() const noexcept { return &storage_; }

 private:
  detail::ArbStorage storage_;
};

// Mixed operations with integers (Eigen and generic code write `2 * x`).
inline Ball operator+(const Ball& a, int b) {
  return a + Ball(b);
}
inline Ball operator+(int a, const Ball& b) {
  return Ball(a) + b;
}
inline Ball operator-(const Ball& a, int b) {
  return a - Ball(b);
}
inline Ball operator-(int a, const Ball& b) {
  return Ball(a) - b;
}
inline Ball operator*(const Ball& a, int b) {
  return a * Ball(b);
}
inline Ball operator*(int a, const Ball& b) {
  return Ball(a) * b;
}
inline Ball operator/(const Ball& a, int b) {
  return a / Ball(b);
}
inline Ball operator/(int a, const Ball& b) {
  return Ball(a) / b;
}

/// Functions found by ADL (`using std::exp; exp(x)` in generic code), at the thread's working
/// precision. Guarantee: the result contains f(t) for every real t in x (and every s in y for the
/// two-argument pow). Outside the domain (log of a ball reaching 0 or below, sqrt of a ball with a
/// negative part, pow(x, y) with x reaching 0 or below) the result is the indeterminate ball
/// (is_finite() false), never a wrong enclosure. None of them throws.
Ball exp(const Ball& x);
Ball log(const Ball& x);
Ball sqrt(const Ball& x);
Ball tanh(const Ball& x);
Ball abs(const Ball& x);
Ball sin(const Ball& x);
Ball atan(const Ball& x);
Ball asin(const Ball& x);
Ball acos(const Ball& x);
/// The error function erf(x) = (2/√π) ∫_0^x e^{−t²} dt (Arb's arb_hypgeom_erf).
Ball erf(const Ball& x);
Ball cos(const Ball& x);
Ball log1p(const Ball& x);
Ball expm1(const Ball& x);
Ball pow(const Ball& x, int n);
Ball pow(const Ball& x, const Ball& y);
Ball ldexp(const Ball& x, int e);
/// The union hull of a and b.
Ball hull(const Ball& a, const Ball& b);
/// Square.
inline Ball square(const Ball& x) {
  return x * x;
}

/// Three-valued comparisons (Arb's arb_lt etc.). Guarantee: True only if the relation holds for
/// every pair of points of the balls, False only if it fails for every pair, Unknown otherwise
/// (overlapping balls, an indeterminate ball). certainly_zero is True only for the exact ball {0}.
/// None of them throws.
Certainty certainly_less(const Ball& a, const Ball& b);
Certainty certainly_less_equal(const Ball& a, const Ball& b);
Certainty certainly_greater(const Ball& a, const Ball& b);
Certainty certainly_greater_equal(const Ball& a, const Ball& b);
Certainty certainly_equal(const Ball& a, const Ball& b);
Certainty certainly_positive(const Ball& a);
Certainty certainly_negative(const Ball& a);
Certainty certainly_zero(const Ball& a);
/// True unless 0 is certainly outside the ball (an indeterminate ball possibly contains 0).
bool possibly_zero(const Ball& a);

/// True iff the exact rational x lies in the ball.
bool contains(const Ball& ball, const Rational& x);
/// True iff `inner` is a subset of `outer`.
bool contains(const Ball& outer, const Ball& inner);
/// True iff the balls intersect.
bool overlaps(const Ball& a, const Ball& b);

template <>
struct ScalarTraits<Ball> {
  static constexpr ScalarKind kind = ScalarKind::Ball;
  static constexpr bool is_exact = false;
  static constexpr bool is_rigorous = true;
  static constexpr bool is_interval = true;
  static constexpr bool has_transcendentals = true;
  static constexpr bool is_multiprecision = true;
  static constexpr bool is_native_double = false;

  /// The thread's working precision.
  static int digits() { return ball_precision(); }
  /// The exact ball {2^(1 - precision)}.
  static Ball epsilon() { return ldexp(Ball(1), 1 - ball_precision()); }
  /// The exact ball {2^(-floor(3 * precision / 4))}, for non-rigorous screening only; certified
  /// statements use certainly_* on the balls themselves.
  static Ball default_tolerance() { return ldexp(Ball(1), -(3 * ball_precision()) / 4); }
  static std::string name() { return "ball:" + std::to_string(ball_precision()); }
  static double to_double(const Ball& x) { return x.mid_double(); }
  /// The midpoint.
  static Rational to_rational(const Ball& x) { return x.mid(); }
  static Ball from_ratio(long long p, long long q) { return Ball(Rational(p, q)); }
  static Ball from_rational(const Rational& r) { return Ball(r); }
  static std::string to_string(const Ball& x);
  static bool is_finite(const Ball& x) { return x.is_finite(); }
};

namespace detail {
/// Constructs / destroys the n balls of a matrix's storage (locus/scalar/eigen.hpp). At 256 bits
/// every ball holds its own heap block of limbs, so destroying a large matrix is one free per
/// entry; large arrays are done on every thread when the caller is outside a parallel region.
void construct_balls(Ball* p, std::size_t n) noexcept;
void destroy_balls(Ball* p, std::size_t n) noexcept;
}  // namespace detail

}  // namespace locus
