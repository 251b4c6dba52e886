// Explicit instantiation of locus/linalg/dense.hpp for locus::Float128 (one TU per scalar: compile
// time).
#include "locus/config.hpp"
#if LOCUS_HAS_FLOAT128
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(locus::Float128)
LOCUS_DENSE_INSTANTIATE_FLOATING(locus::Float128)
#endif
