// The midpoint of a ball as the nearest double and a bound of what that rounding cut, for the
// paths that carry balls as doubles (enclose_in_double, the 53-bit ball products on double GEMMs).
#ifndef LOCUS_SRC_SCALAR_ARF_DOUBLE_HPP_
#define LOCUS_SRC_SCALAR_ARF_DOUBLE_HPP_

#include <bit>
#include <cstdint>
#include <limits>

#include <arf.h>
#include <flint/fmpz.h>

namespace locus::detail {

// The next double above x, for x >= 0 (std::nextafter(x, +inf) without the library call): the bit
// pattern of a nonnegative finite double plus one is the next one up (0 gives the least
// subnormal, the largest finite double gives +inf); +inf and NaN are returned as they are.
inline double next_up(double x) {
  if (!(x < std::numeric_limits<double>::infinity())) return x;
  if (x == 0) return std::numeric_limits<double>::denorm_min();  // also for −0
  return std::bit_cast<double>(std::bit_cast<std::uint64_t>(x) + 1);
}

// d = x rounded to the nearest double and cut >= |x − d| (rounded up); `t` and `r` are scratch
// that the caller owns (so that a loop allocates nothing), and t may be x itself. A number of at most 53 significant bits
// well inside the normal range is a double: it is read exactly from its limb, cut = 0 — the case
// of every entry of a 53-bit ball computation (Arb's own conversion goes through MPFR). Otherwise
// the nearest double is correctly rounded (also near under- and overflow) and the difference is
// taken exactly. d is ±inf or NaN when x does not fit; the caller checks.
inline void nearest_double(arf_srcptr x, arf_t t, arf_t r, double* d, double* cut) {
  if (arf_is_zero(x)) {
    *d = 0;
    *cut = 0;
    return;
  }
  // One limb m (top bit set) and a small exponent e: x = ±m·2^(e − 64). With at most 53
  // significant bits (the low 11 bits of m zero), m converts exactly, and 2^(e − 64) is a normal
  // double for −900 < e < 1000, so the product is exact (and normal).
  if (ARF_SIZE(x) == 1 && !COEFF_IS_MPZ(ARF_EXP(x))) {
    const mp_limb_t m = ARF_NOPTR_D(x)[0];
    const slong e = ARF_EXP(x);
    if ((m & 0x7FF) == 0 && e > -900 && e < 1000) {
      const auto biased = static_cast<std::uint64_t>(e - 64 + 1023);
      const double v = static_cast<double>(m) * std::bit_cast<double>(biased << 52);
      *d = ARF_SGNBIT(x) ? -v : v;
      *cut = 0;
      return;
    }
  }
  *d = arf_get_d(x, ARF_RND_NEAR);
  arf_set_d(r, *d);
  arf_sub(t, x, r, ARF_PREC_EXACT, ARF_RND_DOWN);  // exact
  arf_abs(t, t);
  *cut = arf_get_d(t, ARF_RND_UP);
}

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_ARF_DOUBLE_HPP_
