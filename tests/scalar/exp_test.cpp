// The activations' exponential for MPFR numbers (lib/src/scalar/exp.hpp): Arb's arb_exp with a
// rounding test must return exactly what mpfr_exp returns, rounded to nearest.
#include "scalar/exp.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "locus/scalar/all.hpp"

#include <arb.h>
#include <mpfr.h>

TEST_CASE("exp_nearest: the correctly rounded exponential, bit for bit mpfr_exp's") {
  const std::uint64_t seed = 9101;
  CAPTURE(seed);
  std::mt19937_64 g(seed);
  std::uniform_int_distribution<int> exps(-40, 24);
  int compared = 0;
  for (const mpfr_prec_t prec : {2, 24, 53, 64, 113, 256, 257, 512, 1024}) {
    CAPTURE(prec);
    mpfr_t x, a, b;
    mpfr_inits2(prec, x, a, b, static_cast<mpfr_ptr>(nullptr));
    for (int k = 0; k < 400; ++k) {
      // random mantissas (every bit), exponents from 2^-40 to 2^24, both signs; the last ones
      // hit the fallback (|x| >= 2^20) and the special values
      mpfr_set_ui(x, 0, MPFR_RNDN);
      for (mpfr_prec_t bit = 0; bit < prec; bit += 60) {
        mpfr_mul_2ui(x, x, 60, MPFR_RNDN);
        mpfr_add_ui(x, x, static_cast<unsigned long>(g() >> 4), MPFR_RNDN);
      }
      mpfr_set_exp(x, exps(g));
      if (k % 2 == 1) mpfr_neg(x, x, MPFR_RNDN);
      if (k == 0) mpfr_set_zero(x, 1);
      if (k == 1) mpfr_set_inf(x, -1);
      if (k == 2) mpfr_set_nan(x);
      if (k == 3) mpfr_set_si(x, 1, MPFR_RNDN);
      if (k == 4) mpfr_set_si(x, -800000, MPFR_RNDN);  // underflows nothing: e^-8e5 > 2^-2^30
      mpfr_exp(a, x, MPFR_RNDN);
      locus::detail::exp_nearest(b, x);
      if (mpfr_nan_p(a) != 0) {
        CHECK(mpfr_nan_p(b) != 0);
      } else {
        CHECK(mpfr_equal_p(a, b) != 0);
      }
      ++compared;
    }
    mpfr_clears(x, a, b, static_cast<mpfr_ptr>(nullptr));
  }
  CHECK(compared == 9 * 400);
  // the scalar-generic entry point: the MPFR types through exp_nearest, the others their own exp
  const locus::Mpfr256 z = locus::Mpfr256(-3) / 7;
  using std::exp;
  CHECK(static_cast<bool>(locus::detail::exp_of(z) == exp(z)));  // no stringified MPFR number
  CHECK(locus::detail::exp_of(0.25) == std::exp(0.25));
}

TEST_CASE("sigmoid_ball: the sigmoid and three derivatives enclose MPFR-1024 references") {
  // s = 1/(1 + e^-z), s' = s(1 - s), s'' = s'(1 - 2s), s''' = s'(1 - 6s + 6s^2), evaluated in
  // MPFR at 1024 bits (error far below 2^-256), against balls at 256 bits: each reference lies in
  // its ball, and the balls are narrow (radius below 2^-240 of the scale 1).
  const locus::ScopedBallPrecision bits(256);
  std::mt19937_64 g(9800);
  std::uniform_real_distribution<double> u(-40.0, 40.0);
  mpfr_t x, s, s1, t, ref[4];
  mpfr_inits2(1024, x, s, s1, t, static_cast<mpfr_ptr>(nullptr));
  for (auto& r : ref) mpfr_init2(r, 1024);
  int checked = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const double zd = trial == 0 ? 0.0 : (trial == 1 ? -700.0 : u(g));  // and e^-z huge
    mpfr_set_d(x, zd, MPFR_RNDN);
    mpfr_neg(s, x, MPFR_RNDN);
    mpfr_exp(s, s, MPFR_RNDN);
    mpfr_add_ui(s, s, 1, MPFR_RNDN);
    mpfr_ui_div(s, 1, s, MPFR_RNDN);  // s
    mpfr_ui_sub(t, 1, s, MPFR_RNDN);
    mpfr_mul(s1, s, t, MPFR_RNDN);  // s'
    mpfr_set(ref[0], s, MPFR_RNDN);
    mpfr_set(ref[1], s1, MPFR_RNDN);
    mpfr_mul_2ui(t, s, 1, MPFR_RNDN);
    mpfr_ui_sub(t, 1, t, MPFR_RNDN);
    mpfr_mul(ref[2], s1, t, MPFR_RNDN);  // s'(1 - 2s)
    mpfr_mul(t, s, s, MPFR_RNDN);
    mpfr_mul_ui(t, t, 6, MPFR_RNDN);
    mpfr_add_ui(t, t, 1, MPFR_RNDN);
    mpfr_mul_ui(s, s, 6, MPFR_RNDN);
    mpfr_sub(t, t, s, MPFR_RNDN);
    mpfr_mul(ref[3], s1, t, MPFR_RNDN);  // s'(1 - 6s + 6s^2)
    for (int order = 0; order <= 3; ++order) {
      locus::Ball d[4] = {locus::Ball(7), locus::Ball(7), locus::Ball(7), locus::Ball(7)};
      locus::detail::sigmoid_ball(d, locus::Ball(zd), order);
      for (int r = 0; r <= order; ++r) {
        CAPTURE(zd);
        CAPTURE(order);
        CAPTURE(r);
        arb_t reference;
        arb_init(reference);
        arf_set_mpfr(arb_midref(reference), ref[r]);  // exact: 1024 bits
        const auto* ball = static_cast<arb_srcptr>(d[r].arb());
        CHECK(arb_contains(ball, reference) != 0);
        CHECK(mag_cmp_2exp_si(arb_radref(ball), -240) < 0);
        arb_clear(reference);
        ++checked;
      }
    }
  }
  CHECK(checked == 200 * 10);
  mpfr_clears(x, s, s1, t, static_cast<mpfr_ptr>(nullptr));
  for (auto& r : ref) mpfr_clear(r);
}
