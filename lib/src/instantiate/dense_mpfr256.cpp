// Explicit instantiation of locus/linalg/dense.hpp for locus::Mpfr256 (one TU per scalar: compile
// time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(locus::Mpfr256)
LOCUS_DENSE_INSTANTIATE_FLOATING(locus::Mpfr256)
