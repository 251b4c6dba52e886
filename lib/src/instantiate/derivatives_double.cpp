// Explicit instantiation of locus/core/derivatives.hpp for double (one TU per scalar: compile
// time).
#include "core/derivatives_impl.hpp"

LOCUS_DERIVATIVES_INSTANTIATE(double)
