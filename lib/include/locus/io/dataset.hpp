// locus/io/dataset.hpp: data sets for problem files, every random choice seeded.
//
//   | generator     | what |
//   |---------------|-------------------------------------------------------------------------------|
//   | make_blobs    | Gaussian blobs, the protocol of Sagun et al.'s code (docs/reproductions.md): | | |
//   sklearn.datasets.make_blobs(2·n, d, centers=k, cluster_std=s, random_state=  | | | seed),
//   standardised per feature, one-hot targets, first n train, rest test.   | |               |
//   NumPy's legacy RandomState (MT19937, polar Gaussians, Fisher-Yates) is        | | | reproduced
//   draw for draw, so the raw points equal sklearn's to the bit.      | | make_xor      | the four
//   XOR points, scalar or one-hot targets                                | | make_teacher  |
//   Gaussian inputs, targets from a seeded random teacher network (+ noise)       | | read_csv |
//   rows of exact numbers: n_0 input columns, then the target columns            |
//
// Floating data (blobs, teacher) enter the problem as the exact rational value of each double.
#pragma once

#include <cstdint>
#include <string>

#include "locus/core/data.hpp"
#include "locus/core/network.hpp"

namespace locus {

/// NumPy's legacy numpy.random.RandomState(seed), draw for draw (MT19937 init_genrand seeding,
/// 53-bit doubles, the polar Gaussian with its cached second value, bounded integers by masking).
class NumpyRandomState {
 public:
  explicit NumpyRandomState(std::uint32_t seed);
  std::uint32_t next_uint32();
  /// random_sample(): uniform in [0, 1).
  double random_sample();
  /// standard_normal() (legacy gauss).
  double gauss();
  /// uniform(low, high).
  double uniform(double low, double high) { return low + (high - low) * random_sample(); }
  /// randint-style bounded integer in [0, max] (numpy's random_interval).
  std::uint64_t random_interval(std::uint64_t max);

 private:
  std::uint32_t key_[624];
  int pos_ = 624;
  bool has_gauss_ = false;
  double gauss_ = 0;
};

/// Options of make_blobs (scikit-learn's make_blobs, draw for draw).
struct BlobsOptions {
  int num_samples = 100;  ///< training points; as many test points are drawn too
  int input_dim = 2;
  int num_classes = 2;
  double cluster_std = 1.0;
  std::uint32_t seed = 0;
  bool standardize = true;  ///< sklearn.preprocessing.scale over all 2·n points
};

/// A training and a test set drawn together.
struct DataSplit {
  Dataset train;
  Dataset test;
};

/// Gaussian blobs (see the table above). \throws InvalidArgument on non-positive sizes.
DataSplit make_blobs(const BlobsOptions& options);

/// The XOR points (0,0), (0,1), (1,0), (1,1); targets 0, 1, 1, 0, or one-hot [1,0] / [0,1].
/// Exact. Does not throw.
Dataset make_xor(bool one_hot = false);

/// Options of make_teacher.
struct TeacherOptions {
  Network teacher;  ///< its widths give n_0 and n_L; its activation and bias are used
  int num_samples = 100;
  std::uint32_t seed = 0;  ///< inputs ~ N(0, 1), then teacher weights ~ N(0, 1/fan_in)
  double noise = 0.0;      ///< target noise standard deviation
};

/// Random Gaussian inputs and the outputs of a random teacher network (evaluated in double).
/// \param[out] teacher_theta if given, the teacher's parameters (exact values of the doubles).
/// Reproducible for a given seed. \throws InvalidArgument for num_samples < 1, noise < 0 or an
///   invalid teacher network.
Dataset make_teacher(const TeacherOptions& options, Vec<Rational>* teacher_theta = nullptr);

/// Reads a CSV file of exact numbers: `num_inputs` input columns, the rest targets. A first line
/// that is not numeric is a header and is skipped. Blank lines are ignored.
/// \throws ParseError naming the line and column of a bad entry or a ragged row.
Dataset read_csv(const std::string& path, int num_inputs);

/// θ with entries scale · N(0, 1) from NumpyRandomState(seed) (Sagun et al.'s initialisation is
/// scale = 0.1), as exact values of the doubles. Reproducible for a given seed.
/// Precondition: a valid network. \throws InvalidArgument when an entry is not finite (a
///   non-finite scale).
Vec<Rational> random_point(const Network& network, std::uint32_t seed, double scale);

}  // namespace locus
