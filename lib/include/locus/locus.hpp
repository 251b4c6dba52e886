// locus/locus.hpp: the umbrella header (like ceres/ceres.h or Eigen/Dense). Prefer the specific
// headers in library code; this one is for examples and quick experiments.
#pragma once

#include "locus/config.hpp"
#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/scalar/all.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/eigen.hpp"
#include "locus/scalar/fmt.hpp"
#include "locus/scalar/parse.hpp"
#include "locus/version.hpp"
