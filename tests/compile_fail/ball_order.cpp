// Must NOT compile with LOCUS_FAIL_CASE set: balls have no two-valued order (style 2.4). Built by
// ctest twice per case, once without LOCUS_FAIL_CASE (must compile, proving the file is otherwise
// fine) and once with it (must fail), like Eigen's failtest/.
#include "locus/scalar/ball.hpp"

int main() {
  const locus::Ball a(1);
  const locus::Ball b(2);
#if LOCUS_FAIL_CASE == 1
  return a < b ? 0 : 1;
#elif LOCUS_FAIL_CASE == 2
  return a <= b ? 0 : 1;
#elif LOCUS_FAIL_CASE == 3
  return a > b ? 0 : 1;
#elif LOCUS_FAIL_CASE == 4
  return a >= b ? 0 : 1;
#else
  return locus::certainly_less(a, b) == locus::Certainty::True ? 0 : 1;
#endif
}
