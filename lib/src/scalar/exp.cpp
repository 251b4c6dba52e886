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

void sigmoid_ball(Ball* d, const Ball& z, int order) noexcept {
  const slong prec = ball_precision();
  const auto ball = [d](int r) { return static_cast<arb_ptr>(d[r].arb()); };
  arb_ptr s = ball(0);
  arb_neg(s, static_cast<arb_srcptr>(z.arb()));
  arb_exp(s, s, prec);
  arb_add_ui(s, s, 1, prec);
  arb_inv(s, s, prec);  // s = 1/(1 + e^-z)
  if (order < 1) return;
  arb_ptr s1 = ball(1);
  arb_sub_ui(s1, s, 1, prec);
  arb_mul(s1, s1, s, prec);
  arb_neg(s1, s1);  // s' = s(1 - s)
  if (order >= 2) {
    arb_ptr s2 = ball(2);
    arb_mul_2exp_si(s2, s, 1);
    arb_sub_ui(s2, s2, 1, prec);
    arb_mul(s2, s2, s1, prec);
    arb_neg(s2, s2);  // s'' = s'(1 - 2s)
  }
  if (order >= 3) {
    arb_ptr s3 = ball(3);
    arb_mul_ui(s3, s1, 6, prec);
    arb_sub_ui(s3, s3, 1, prec);
    arb_mul(s3, s3, s1, prec);
    arb_neg(s3, s3);  // s''' = s'(1 - 6s + 6s^2) = s'(1 - 6s')
  }
}

}  // namespace locus::detail
