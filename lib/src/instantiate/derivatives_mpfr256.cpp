// Explicit instantiation of locus/core/derivatives.hpp for locus::Mpfr256 (one TU per scalar:
// compile time).
#include "core/derivatives_impl.hpp"

LOCUS_DERIVATIVES_INSTANTIATE(locus::Mpfr256)
