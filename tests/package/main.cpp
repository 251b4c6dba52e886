// Uses the installed locus: parse in three arithmetics, an MPFR eigenvalue, a ball enclosure.
#include <locus/locus.hpp>

int main() {
  const auto third = locus::parse_scalar<locus::Mpfr<256>>("1/3");
  locus::Mat<locus::Mpfr<256>> a(2, 2);
  a << 2, third, third, 1;
  const auto eig = locus::symmetric_eigen<locus::Mpfr<256>>(a);
  const locus::Ball b = locus::parse_scalar<locus::Ball>("0.1");
  fmt::print("{} {} {}\n", eig.values(0), locus::parse_scalar<locus::Rational>("0.25"), b);
  return contains(b, locus::Rational(1, 10)) && eig.converged ? 0 : 1;
}
