// Explicit instantiation of locus/linalg/dense.hpp for locus::Mpfr512 (one TU per scalar: compile
// time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(locus::Mpfr512)
LOCUS_DENSE_INSTANTIATE_FLOATING(locus::Mpfr512)
