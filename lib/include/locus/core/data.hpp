// locus/core/data.hpp: a training set, held exactly. No file format here: problem files
// (locus/io/problem.hpp) and the data generators (locus/io/dataset.hpp) build these.
#pragma once

#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rational.hpp"

namespace locus {

/// Training data, exact: inputs N x n_0, targets N x n_L (one sample per row).
///
/// The shapes are checked against a network by Problem::validate (io) and by LossFunction's
/// constructor; a Dataset on its own is any pair of matrices.
struct Dataset {
  Mat<Rational> inputs;
  Mat<Rational> targets;

  /// N, the number of samples (rows of `inputs`).
  [[nodiscard]] Eigen::Index size() const { return inputs.rows(); }
};

}  // namespace locus
