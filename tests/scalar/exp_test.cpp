// The activations' exponential for MPFR numbers (lib/src/scalar/exp.hpp): Arb's arb_exp with a
// rounding test must return exactly what mpfr_exp returns, rounded to nearest.
#include "scalar/exp.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <random>

#include "locus/scalar/all.hpp"

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
