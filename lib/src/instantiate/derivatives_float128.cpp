// Explicit instantiation of locus/core/derivatives.hpp for locus::Float128 (one TU per scalar:
// compile time).
#include "locus/config.hpp"
#if LOCUS_HAS_FLOAT128
#include "core/derivatives_impl.hpp"

LOCUS_DERIVATIVES_INSTANTIATE(locus::Float128)
#endif
