// locus/scalar/mpfr.hpp: MPFR floating point at a fixed precision, locus::Mpfr<Bits>.
//
// Mpfr<Bits> = boost::multiprecision::number<mpfr_float_backend<D, allocate_stack>, et_off>, where
// D is the smallest decimal-digit count whose binary precision is at least Bits. Boost sizes values
// from decimal digits, so the significand has ScalarTraits<Mpfr<Bits>>::digits() bits, which is
// Bits or one more (128 -> 128, 256 -> 257, 512 -> 513, 1024 -> 1025). The arithmetic is named
// `mpfr:Bits` after the precision asked for; digits() is what it really carries, and every report
// prints that.
//
// Built in (instantiated in lib/src/instantiate/): Bits = 128, 256, 512, 1024 (kMpfrBuiltinBits).
// Any precision at run time: use balls, `ball:BITS` (Arb takes the precision per operation).
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "locus/scalar/rational.hpp"
#include "locus/scalar/traits.hpp"

#include <boost/multiprecision/mpfr.hpp>

namespace locus {

/// The MPFR precisions (in bits) that are compiled into locus.
inline constexpr std::array<int, 4> kMpfrBuiltinBits = {128, 256, 512, 1024};

namespace detail {

/// Boost's decimal-digits -> bits rule (boost/multiprecision/detail/digits.hpp).
constexpr unsigned long mpfr_bits_of_digits10(unsigned long d10) {
  return (d10 * 1000uL) / 301uL + ((d10 * 1000uL) % 301 ? 2u : 1u);
}

/// The smallest decimal-digit count D with at least `bits` binary digits.
constexpr unsigned mpfr_digits10_for_bits(unsigned long bits) {
  unsigned d = 1;
  while (mpfr_bits_of_digits10(d) < bits) ++d;
  return d;
}

/// The nominal precision (as in `mpfr:BITS`) of the backend with D decimal digits.
constexpr int mpfr_nominal_bits(unsigned d10) {
  for (int b : kMpfrBuiltinBits) {
    if (mpfr_digits10_for_bits(static_cast<unsigned long>(b)) == d10) return b;
  }
  return static_cast<int>(mpfr_bits_of_digits10(d10));
}

void mpfr_set_rational(mpfr_ptr out, const Rational& x);
Rational mpfr_get_rational(mpfr_srcptr x);
std::string mpfr_to_string(mpfr_srcptr x);

}  // namespace detail

/// MPFR with (at least) Bits bits of significand, round-to-nearest.
///
/// The significand is stored inside the number (Boost's allocate_stack: an mpfr_t whose limbs are
/// a member array), not in a separate heap block. A Mat<Mpfr<256>> is then one allocation instead
/// of one per entry, and temporaries cost no malloc/free: in the MPFR Hessian the per-entry
/// mpfr_init2/malloc and the page faults of fresh blocks were a fifth of the time. Moves copy
/// the limbs (Boost swaps by copying too); the value semantics are unchanged.
template <int Bits>
using Mpfr = boost::multiprecision::number<
    boost::multiprecision::mpfr_float_backend<detail::mpfr_digits10_for_bits(Bits),
                                              boost::multiprecision::allocate_stack>,
    boost::multiprecision::et_off>;

namespace detail {
/// Constructs the n numbers of a matrix's storage (locus/scalar/eigen.hpp); large arrays on every
/// thread when the caller is outside a parallel region. Defined for Bits = 128, 256, 512, 1024.
template <int Bits>
void construct_numbers(Mpfr<Bits>* p, std::size_t n) noexcept;
}  // namespace detail

template <unsigned D10>
struct ScalarTraits<boost::multiprecision::number<
    boost::multiprecision::mpfr_float_backend<D10, boost::multiprecision::allocate_stack>,
    boost::multiprecision::et_off>>
    : GenericScalarTraits<boost::multiprecision::number<
          boost::multiprecision::mpfr_float_backend<D10, boost::multiprecision::allocate_stack>,
          boost::multiprecision::et_off>> {
  static_assert(D10 > 0, "locus: variable-precision MPFR is not a locus scalar; use Mpfr<Bits>");
  using Scalar = boost::multiprecision::number<
      boost::multiprecision::mpfr_float_backend<D10, boost::multiprecision::allocate_stack>,
      boost::multiprecision::et_off>;
  static constexpr ScalarKind kind = ScalarKind::Mpfr;
  static constexpr bool is_multiprecision = true;
  static constexpr int kNominalBits = detail::mpfr_nominal_bits(D10);

  static int digits() { return static_cast<int>(detail::mpfr_bits_of_digits10(D10)); }
  static std::string name() { return "mpfr:" + std::to_string(kNominalBits); }
  static double to_double(const Scalar& x) { return mpfr_get_d(x.backend().data(), MPFR_RNDN); }
  /// \throws InvalidArgument if x is NaN or infinite.
  static Rational to_rational(const Scalar& x) {
    return detail::mpfr_get_rational(x.backend().data());
  }
  static Scalar from_ratio(long long p, long long q) { return from_rational(Rational(p, q)); }
  static Scalar from_rational(const Rational& r) {
    Scalar x;
    detail::mpfr_set_rational(x.backend().data(), r);
    return x;
  }
  static std::string to_string(const Scalar& x) {
    return detail::mpfr_to_string(x.backend().data());
  }
  static bool is_finite(const Scalar& x) { return mpfr_number_p(x.backend().data()) != 0; }
};

}  // namespace locus
