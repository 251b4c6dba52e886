// locus/io/npy.hpp: NumPy .npy files (format version 1.0, little-endian float64, C or Fortran
// order), so that `numpy.load(path)` reads what locus computed with no conversion step.
#pragma once

#include <string>
#include <vector>

namespace locus {

/// Memory order of the entries handed to write_npy.
enum class NpyOrder { RowMajor, ColumnMajor };

/// Writes prod(shape) doubles from `data` in the given order, with no copy: an Eigen matrix is
/// written as `write_npy(path, m.data(), {rows, cols}, NpyOrder::ColumnMajor)` and numpy reads it
/// as a Fortran-ordered array of the same shape.
/// \throws Error if the file cannot be written.
void write_npy(const std::string& path,
               const double* data,
               const std::vector<long>& shape,
               NpyOrder order);

/// Writes `values` (row-major, shape `shape`; an empty shape is a 0-d array) as float64 .npy.
/// \throws Error if the file cannot be written or the sizes disagree.
void write_npy(const std::string& path,
               const std::vector<double>& values,
               const std::vector<long>& shape);

}  // namespace locus
