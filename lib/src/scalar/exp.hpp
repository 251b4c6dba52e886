// scalar/exp.hpp (internal): the exponential of the activations, correctly rounded and fast.
#ifndef LOCUS_SRC_SCALAR_EXP_HPP_
#define LOCUS_SRC_SCALAR_EXP_HPP_

#include <cmath>

#include "locus/scalar/all.hpp"

#include <mpfr.h>

namespace locus::detail {

/// rop = exp(op) rounded to nearest at rop's precision: the value mpfr_exp(rop, op, MPFR_RNDN)
/// returns. Computed by Arb's arb_exp at 24 more bits, kept only when the whole enclosure rounds
/// to one number (arb_can_round_mpfr, Ziv's test); otherwise, and outside |op| < 2^20, by
/// mpfr_exp itself. At 256 bits this measured about 4× faster than mpfr_exp. Defined in
/// lib/src/scalar/exp.cpp.
void exp_nearest(mpfr_ptr rop, mpfr_srcptr op) noexcept;

/// d[0], ..., d[order] = the logistic sigmoid s(z) = 1/(1 + e^-z) and its first `order` derivatives
/// at a ball z (order <= 3), as s' = s(1 - s), s'' = s'(1 - 2s), s''' = s'(1 - 6s'), each an
/// enclosure. In place: d's numbers keep their storage and no temporary number is made (a 256-bit
/// ball's limbs are a heap block, and the operator form cost about ten allocations per call). d
/// must not hold z. Defined in lib/src/scalar/exp.cpp.
void sigmoid_ball(Ball* d, const Ball& z, int order) noexcept;

/// exp(x) in the arithmetic of x, as std::exp or the scalar's own exp would return it (MPFR: the
/// correctly rounded value, through exp_nearest).
template <class S>
S exp_of(const S& x) {
  if constexpr (ScalarTraits<S>::kind == ScalarKind::Mpfr) {
    S r;
    exp_nearest(r.backend().data(), x.backend().data());
    return r;
  } else {
    using std::exp;
    return exp(x);
  }
}

}  // namespace locus::detail

#endif  // LOCUS_SRC_SCALAR_EXP_HPP_
