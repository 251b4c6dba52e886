// Correctly rounded conversions between rationals and the floating scalars, through MPFR with the
// target's precision and exponent range (so subnormals round once, not twice).
#define MPFR_WANT_FLOAT128 1  // before any <mpfr.h>: enables mpfr_{set,get}_float128
#include <cmath>
#include <string>

#include "locus/config.hpp"
#include "locus/error.hpp"
#include "locus/scalar/binary.hpp"
#include "locus/scalar/float128.hpp"
#include "locus/scalar/mpfr.hpp"

#include <fmt/format.h>

#include <mpfr.h>

namespace locus::detail {

namespace {

/// RAII mpfr_t.
class MpfrTemp {
 public:
  explicit MpfrTemp(mpfr_prec_t prec) { mpfr_init2(v_, prec); }
  ~MpfrTemp() { mpfr_clear(v_); }
  MpfrTemp(const MpfrTemp&) = delete;
  MpfrTemp& operator=(const MpfrTemp&) = delete;
  mpfr_ptr get() { return v_; }

 private:
  mpfr_t v_;
};

/// Rounds x to nearest in a binary format with `prec` significand bits and MPFR exponent range
/// [emin, emax] (subnormals included).
void round_rational(mpfr_ptr out, const Rational& x, mpfr_exp_t emin, mpfr_exp_t emax) {
  const mpfr_exp_t old_emin = mpfr_get_emin();
  const mpfr_exp_t old_emax = mpfr_get_emax();
  mpfr_set_emin(emin);
  mpfr_set_emax(emax);
  const int inexact = mpfr_set_q(out, x.backend().data(), MPFR_RNDN);
  mpfr_subnormalize(out, inexact, MPFR_RNDN);
  mpfr_set_emin(old_emin);
  mpfr_set_emax(old_emax);
}

[[noreturn]] void not_rational(std::string_view type, std::string_view value) {
  throw InvalidArgument(
      fmt::format("{} value {} is not a finite number, so it has no exact "
                  "rational value",
                  type,
                  value));
}

}  // namespace

double double_from_rational(const Rational& x) {
  MpfrTemp t(53);
  round_rational(t.get(), x, -1073, 1024);
  return mpfr_get_d(t.get(), MPFR_RNDN);
}

long double long_double_from_rational(const Rational& x) {
  MpfrTemp t(64);
  round_rational(t.get(), x, -16444, 16384);
  return mpfr_get_ld(t.get(), MPFR_RNDN);
}

Rational rational_from_double(double x) {
  if (!std::isfinite(x)) not_rational("double", fmt::format("{}", x));
  Rational r;
  mpq_set_d(r.backend().data(), x);
  return r;
}

Rational rational_from_long_double(long double x) {
  if (!std::isfinite(x)) not_rational("long double", fmt::format("{}", static_cast<double>(x)));
  MpfrTemp t(64);
  mpfr_set_ld(t.get(), x, MPFR_RNDN);  // exact
  return mpfr_get_rational(t.get());
}

std::string double_to_string(double x) {
  return fmt::format("{}", x);
}

std::string long_double_to_string(long double x) {
  MpfrTemp t(64);
  mpfr_set_ld(t.get(), x, MPFR_RNDN);
  return mpfr_to_string(t.get());
}

#if LOCUS_HAS_FLOAT128
Float128 float128_from_rational(const Rational& x) {
  MpfrTemp t(113);
  round_rational(t.get(), x, -16493, 16384);
  return Float128(mpfr_get_float128(t.get(), MPFR_RNDN));
}

Rational rational_from_float128(const Float128& x) {
  if (!boost::multiprecision::isfinite(x)) not_rational("float128", x.str());
  MpfrTemp t(113);
  mpfr_set_float128(t.get(), x.backend().value(), MPFR_RNDN);  // exact
  return mpfr_get_rational(t.get());
}

std::string float128_to_string(const Float128& x) {
  MpfrTemp t(113);
  mpfr_set_float128(t.get(), x.backend().value(), MPFR_RNDN);
  return mpfr_to_string(t.get());
}
#endif

void mpfr_set_rational(mpfr_ptr out, const Rational& x) {
  mpfr_set_q(out, x.backend().data(), MPFR_RNDN);
}

Rational mpfr_get_rational(mpfr_srcptr x) {
  if (mpfr_number_p(x) == 0) {
    not_rational("mpfr", mpfr_nan_p(x) ? "nan" : (mpfr_sgn(x) > 0 ? "inf" : "-inf"));
  }
  Rational r;
  mpfr_get_q(r.backend().data(), x);
  return r;
}

std::string mpfr_to_string(mpfr_srcptr x) {
  if (mpfr_nan_p(x)) return "nan";
  if (mpfr_inf_p(x)) return mpfr_sgn(x) > 0 ? "inf" : "-inf";
  const long prec = static_cast<long>(mpfr_get_prec(x));
  const int digits = round_trip_decimal_digits(prec);
  char* buffer = nullptr;
  if (mpfr_asprintf(&buffer, "%.*Rg", digits, x) < 0 || buffer == nullptr) {
    throw Error("mpfr_asprintf failed");
  }
  std::string s(buffer);
  mpfr_free_str(buffer);
  return s;
}

}  // namespace locus::detail

namespace locus {
double to_double_nearest(const Rational& x) {
  return detail::double_from_rational(x);
}
}  // namespace locus
