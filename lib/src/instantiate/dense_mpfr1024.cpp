// Explicit instantiation of locus/linalg/dense.hpp for locus::Mpfr1024 (one TU per scalar: compile
// time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(locus::Mpfr1024)
LOCUS_DENSE_INSTANTIATE_FLOATING(locus::Mpfr1024)
