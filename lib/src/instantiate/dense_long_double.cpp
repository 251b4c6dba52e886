// Explicit instantiation of locus/linalg/dense.hpp for long double (one TU per scalar: compile
// time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(long double)
LOCUS_DENSE_INSTANTIATE_FLOATING(long double)
