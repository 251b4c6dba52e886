// Must NOT compile with LOCUS_FAIL_CASE set: a proof's rigour comes only from the scalar type of
// the computation (Evidence::of<Scalar>()); no code can write "this is exact" by hand. Case 0 (no
// failure) shows the file is otherwise fine.
#include "locus/scalar/all.hpp"

int main() {
#if LOCUS_FAIL_CASE == 1
  const locus::Evidence e(locus::Rigour::Exact, "rational");  // private constructor
#elif LOCUS_FAIL_CASE == 2
  const locus::Evidence e{locus::Rigour::Enclosure, "ball:256"};
#elif LOCUS_FAIL_CASE == 3
  locus::Evidence e = locus::Evidence::of<double>();
  e.rigour_ = locus::Rigour::Exact;  // private member
#else
  const locus::Evidence e =
      weakest(locus::Evidence::of<locus::Rational>(), locus::Evidence::of<double>());  // ADL
#endif
  return e.proves() ? 1 : 0;
}
