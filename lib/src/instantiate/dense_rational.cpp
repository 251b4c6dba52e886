// Explicit instantiation of locus/linalg/dense.hpp for locus::Rational (one TU per scalar: compile
// time).
#include "linalg/dense_impl.hpp"

LOCUS_DENSE_INSTANTIATE_ORDERED(locus::Rational)
