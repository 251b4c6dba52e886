// locus/core/data.hpp: a training set, held exactly. No file format here: problem files
// (locus/io/problem.hpp) and the data generators (locus/io/dataset.hpp) build these.
#pragma once

#include <optional>
#include <utility>

#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rational.hpp"

namespace locus {

/// Training data, exact: inputs N x n_0, targets N x n_L (one sample per row), or a population.
///
/// The shapes are checked against a network by Problem::validate (io) and by LossFunction's
/// constructor; a Dataset on its own is any pair of matrices.
struct Dataset {
  Dataset() = default;
  Dataset(Mat<Rational> x, Mat<Rational> y) : inputs(std::move(x)), targets(std::move(y)) {}

  Mat<Rational> inputs;
  Mat<Rational> targets;

  /// N, the number of samples (rows of `inputs`); 0 for a population.
  [[nodiscard]] Eigen::Index size() const { return inputs.rows(); }

  /// Infinitely many samples instead of `inputs` and `targets` (which are then empty): inputs
  /// x ~ N(0, I) in R^{n_0}, targets y(x) of a teacher network of the student's form (one hidden
  /// layer of `teacher_width` units, no biases, the student's activation and one output) at the
  /// exact parameters `teacher` (the student's layout: W_1 row by row, then the output weights).
  /// The loss is then the population loss c·E_x[ℓ(f(x), y(x))] (docs/math/population.md).
  struct Population {
    int teacher_width = 0;
    Vec<Rational> teacher;
  };
  std::optional<Population> population;
};

}  // namespace locus
