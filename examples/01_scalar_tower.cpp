// 01_scalar_tower: one generic function, run in every arithmetic locus has.
//
// f(x) = (exp(x) - 1 - x) / x^2 near x = 0 suffers catastrophic cancellation: its limit is 1/2,
// and at x = 1e-8 double returns garbage. MPFR shows the true value; balls say how sure they are;
// the exact rational arithmetic refuses exp (it has no transcendentals), so we feed it the Taylor
// polynomial instead and get an exact answer for that.
#include <locus/locus.hpp>

namespace {

// Generic over any RealField or IntervalScalar: math through ADL, constants through locus::ratio.
template <class Scalar>
Scalar cancellation(const Scalar& x) {
  using std::exp;
  return (exp(x) - Scalar(1) - x) / (x * x);
}

// The same in exact arithmetic, with exp replaced by its degree-6 Taylor polynomial.
locus::Rational cancellation_taylor(const locus::Rational& x) {
  locus::Rational term(1), sum(1);
  for (int k = 1; k <= 6; ++k) {
    term *= x / k;
    sum += term;
  }
  return (sum - 1 - x) / (x * x);
}

template <class Scalar>
void show(const char* text) {
  using T = locus::ScalarTraits<Scalar>;
  const Scalar x = locus::parse_scalar<Scalar>(text);  // exact text, one rounding
  fmt::print("{:<12} f({}) = {}\n", T::name(), text, cancellation(x));
}

}  // namespace

int main() {
  const char* x = "1e-8";
  show<double>(x);  // garbage: exp(x) - 1 - x loses every digit
  show<long double>(x);
  show<locus::Mpfr<128>>(x);
  show<locus::Mpfr<512>>(x);
  {
    locus::ScopedBallPrecision precision(128);
    show<locus::Ball>(x);  // a ball: wide, but it certainly contains the truth
  }
  {
    locus::ScopedBallPrecision precision(512);
    show<locus::Ball>(x);
    const locus::Ball f = cancellation(locus::parse_scalar<locus::Ball>(x));
    const auto half = locus::ratio<locus::Ball>(1, 2);
    fmt::print("{:<12} f(x) > 1/2 certainly? {}\n",
               "",
               locus::to_string(locus::certainly_greater(f, half)));
  }
  const locus::Rational exact = cancellation_taylor(locus::parse_rational(x));
  fmt::print("{:<12} Taylor-6 value = {} (~ {})\n",
             "rational",
             locus::to_string(exact).substr(0, 40) + "...",
             locus::to_double_nearest(exact));
  return 0;
}
