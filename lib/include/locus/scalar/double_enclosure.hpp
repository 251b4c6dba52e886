// locus/scalar/double_enclosure.hpp: a real matrix enclosed entrywise by double midpoints and
// radii. This is the form in which balls of at most 53 bits meet BLAS: a P × P matrix of balls
// costs 48 bytes and an allocation-free constructor per entry, two doubles cost 16 bytes and
// nothing (docs/spectra.md, "The 53-bit pass").
#pragma once

#include "locus/scalar/ball.hpp"

#include <Eigen/Core>

namespace locus {

/// The set of real matrices X with |X(i, j) − mid(i, j)| ≤ rad(i, j) for every entry (rad ≥ 0,
/// both the same shape). Whoever fills one guarantees the enclosure; certify_cluster checks the
/// shape, finiteness and symmetry only.
struct DoubleEnclosure {
  Eigen::MatrixXd mid;
  Eigen::MatrixXd rad;
};

/// The midpoint of x rounded to the nearest double, and a radius ≥ |mid(x) − *mid| + rad(x)
/// rounded up, so that x ⊂ [*mid − *rad, *mid + *rad]. Returns false (outputs unspecified) when x
/// is not finite or its midpoint or radius does not fit in a double.
bool enclose_in_double(const Ball& x, double* mid, double* rad) noexcept;

/// The ball [mid − rad, mid + rad] (exact: a double midpoint, the radius rounded up).
/// \throws InvalidArgument if mid or rad is not finite or rad < 0.
Ball ball_from_double(double mid, double rad);

}  // namespace locus
