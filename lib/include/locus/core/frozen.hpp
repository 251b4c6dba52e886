// locus/core/frozen.hpp: moving between the free parameters of a network with frozen parameters
// and the full parameter vector θ_all (Network::frozen, docs/math/frozen.md).
#pragma once

#include <cstddef>
#include <vector>

#include "locus/core/network.hpp"
#include "locus/error.hpp"
#include "locus/scalar/eigen.hpp"

#include <fmt/format.h>

namespace locus {

/// θ_all from the free coordinates: the frozen entries at their values (`is_direction` false, a
/// point) or 0 (`is_direction` true, a direction or a velocity). The free vector itself when
/// nothing is frozen. \throws InvalidArgument when `free` does not have net.num_parameters()
/// entries.
template <class Scalar>
Vec<Scalar> expand_free(const Network& net, const Vec<Scalar>& free, bool is_direction = false) {
  if (free.size() != net.num_parameters()) {
    throw InvalidArgument(
        fmt::format("a vector of {} entries; expected the P = {} free "
                    "parameters of {}",
                    free.size(),
                    net.num_parameters(),
                    net.describe()));
  }
  if (net.frozen.empty()) return free;
  Vec<Scalar> all(net.num_layout_parameters());
  for (const FrozenParameter& f : net.frozen) {
    all(f.index) = is_direction ? Scalar(0) : ScalarTraits<Scalar>::from_rational(f.value);
  }
  const std::vector<std::ptrdiff_t> idx = net.free_indices();
  for (std::size_t k = 0; k < idx.size(); ++k) all(idx[k]) = free(static_cast<Eigen::Index>(k));
  return all;
}

}  // namespace locus
