// Explicit instantiation of locus/linalg/dense.hpp for double (one TU per scalar: compile time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(double)
LOCUS_DENSE_INSTANTIATE_FLOATING(double)
