// locus/io/npy.hpp: NumPy .npy files (format version 1.0, little-endian float64, C order), so that
// `numpy.load(path)` reads what locus computed with no conversion step.
#pragma once

#include <string>
#include <vector>

namespace locus {

/// Writes `values` (row-major, shape `shape`; an empty shape is a 0-d array) as float64 .npy.
/// \throws Error if the file cannot be written or the sizes disagree.
void write_npy(const std::string& path,
               const std::vector<double>& values,
               const std::vector<long>& shape);

}  // namespace locus
