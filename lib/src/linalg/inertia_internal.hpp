// Shared between the exact inertia methods (inertia.cpp: fraction-free; inertia_modular.cpp: the
// hybrid modular method). Not installed.
#pragma once

#include "locus/linalg/inertia.hpp"

namespace locus::detail {

/// \throws InvalidArgument unless `a` is square and exactly symmetric (naming the first asymmetric
///   entry).
void check_square_symmetric(const Mat<Rational>& a);

/// In(a) by fraction-free (Bareiss) symmetric elimination in exact integers; `a` must be square
/// and symmetric (unchecked). Cost: n³/3 multiplications of integers that grow to the size of the
/// minors of `a`.
Inertia fraction_free_inertia(const Mat<Rational>& a);

}  // namespace locus::detail
