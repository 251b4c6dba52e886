// locus/core/population.hpp: which networks carry a population loss (Dataset::Population,
// docs/math/population.md).
#pragma once

#include <string>

#include "locus/core/network.hpp"

namespace locus {

/// Empty when `net` has the form a population loss is defined for: [n_0, k, 1], no biases,
/// activation relu or erf, squared loss, the mean reduction; otherwise a sentence saying so and
/// naming the network. Does not throw.
std::string population_form_error(const Network& net);

}  // namespace locus
