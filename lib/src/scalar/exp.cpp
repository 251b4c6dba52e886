// The exponential for MPFR numbers through Arb (scalar/exp.hpp).
#include "scalar/exp.hpp"

#include <arb.h>
#include <arf.h>

namespace locus::detail {

void exp_nearest(mpfr_ptr rop, mpfr_srcptr op) noexcept {
  const mpfr_prec_t prec = mpfr_get_prec(rop);
  // Zero, NaN, infinities, huge or tiny arguments and very high precisions: MPFR as before
  // (e^op then neither overflows nor underflows MPFR's exponent range on the fast path).
  if (mpfr_regular_p(op) == 0 || mpfr_get_exp(op) > 20 || mpfr_get_exp(op) < -1000 || prec > 8192) {
    mpfr_exp(rop, op, MPFR_RNDN);
    return;
  }
  arb_t x;
  arb_init(x);
  arf_set_mpfr(arb_midref(x), op);  // exact
  arb_exp(x, x, static_cast<slong>(prec) + 24);
  if (arb_is_finite(x) && arb_can_round_mpfr(x, static_cast<slong>(prec), MPFR_RNDN) != 0) {
    arf_get_mpfr(rop, arb_midref(x), MPFR_RNDN);
  } else {
    mpfr_exp(rop, op, MPFR_RNDN);
  }
  arb_clear(x);
}

}  // namespace locus::detail
