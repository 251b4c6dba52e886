// Seeded data sets (see locus/io/dataset.hpp).
#include "locus/io/dataset.hpp"

#include <cmath>
#include <fstream>
#include <sstream>

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus {

NumpyRandomState::NumpyRandomState(std::uint32_t seed) {
  std::uint32_t s = seed;
  for (int i = 0; i < 624; ++i) {
    key_[i] = s;
    s = 1812433253U * (s ^ (s >> 30)) + static_cast<std::uint32_t>(i) + 1U;
  }
  pos_ = 624;
}

std::uint32_t NumpyRandomState::next_uint32() {
  constexpr std::uint32_t kUpper = 0x80000000U, kLower = 0x7fffffffU, kMatrix = 0x9908b0dfU;
  if (pos_ >= 624) {
    int i = 0;
    for (; i < 624 - 397; ++i) {
      const std::uint32_t y = (key_[i] & kUpper) | (key_[i + 1] & kLower);
      key_[i] = key_[i + 397] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
    }
    for (; i < 623; ++i) {
      const std::uint32_t y = (key_[i] & kUpper) | (key_[i + 1] & kLower);
      key_[i] = key_[i + 397 - 624] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
    }
    const std::uint32_t y = (key_[623] & kUpper) | (key_[0] & kLower);
    key_[623] = key_[396] ^ (y >> 1) ^ (-(y & 1U) & kMatrix);
    pos_ = 0;
  }
  std::uint32_t y = key_[pos_++];
  y ^= (y >> 11);
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= (y >> 18);
  return y;
}

double NumpyRandomState::random_sample() {
  const std::uint32_t a = next_uint32() >> 5;
  const std::uint32_t b = next_uint32() >> 6;
  return (a * 67108864.0 + b) / 9007199254740992.0;
}

double NumpyRandomState::gauss() {
  if (has_gauss_) {
    has_gauss_ = false;
    const double t = gauss_;
    gauss_ = 0;
    return t;
  }
  double x1 = 0, x2 = 0, r2 = 0;
  do {
    x1 = 2.0 * random_sample() - 1.0;
    x2 = 2.0 * random_sample() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

std::uint64_t NumpyRandomState::random_interval(std::uint64_t max) {
  if (max == 0) return 0;
  std::uint64_t mask = max;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  std::uint64_t value = 0;
  if (max <= 0xffffffffULL) {
    while ((value = (next_uint32() & mask)) > max) {
    }
  } else {
    for (;;) {
      const std::uint64_t hi = next_uint32();
      const std::uint64_t lo = next_uint32();
      value = ((hi << 32) | lo) & mask;
      if (value <= max) break;
    }
  }
  return value;
}

namespace {
Rational exact(double x) {
  return ScalarTraits<double>::to_rational(x);
}
}  // namespace

DataSplit make_blobs(const BlobsOptions& o) {
  if (o.num_samples < 1 || o.input_dim < 1 || o.num_classes < 1 || !(o.cluster_std > 0) ||
      !std::isfinite(o.cluster_std)) {
    throw InvalidArgument(fmt::format(
        "blobs: num_samples = {}, input_dim = {}, classes = {}, std = {}; expected positive values",
        o.num_samples,
        o.input_dim,
        o.num_classes,
        o.cluster_std));
  }
  NumpyRandomState rng(o.seed);
  const int n = 2 * o.num_samples, d = o.input_dim, k = o.num_classes;
  // centers = uniform(-10, 10, size=(k, d))
  std::vector<double> centers(static_cast<std::size_t>(k * d));
  for (auto& c : centers) c = rng.uniform(-10.0, 10.0);
  std::vector<int> per(static_cast<std::size_t>(k), n / k);
  for (int i = 0; i < n % k; ++i) ++per[static_cast<std::size_t>(i)];
  std::vector<double> x(static_cast<std::size_t>(n * d));
  std::vector<int> label(static_cast<std::size_t>(n));
  int row = 0;
  for (int c = 0; c < k; ++c) {
    for (int r = 0; r < per[static_cast<std::size_t>(c)]; ++r, ++row) {
      for (int j = 0; j < d; ++j) {
        const double g = rng.gauss();
        x[static_cast<std::size_t>(row * d + j)] =
            centers[static_cast<std::size_t>(c * d + j)] + o.cluster_std * g;
      }
      label[static_cast<std::size_t>(row)] = c;
    }
  }
  // sklearn.utils.shuffle: indices = arange(n); RandomState.shuffle(indices)
  std::vector<int> idx(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) idx[static_cast<std::size_t>(i)] = i;
  for (int i = n - 1; i >= 1; --i) {
    const auto j = static_cast<std::size_t>(rng.random_interval(static_cast<std::uint64_t>(i)));
    std::swap(idx[static_cast<std::size_t>(i)], idx[j]);
  }
  std::vector<double> xs(x.size());
  std::vector<int> ls(label.size());
  for (int i = 0; i < n; ++i) {
    const auto src = static_cast<std::size_t>(idx[static_cast<std::size_t>(i)]);
    for (int j = 0; j < d; ++j)
      xs[static_cast<std::size_t>(i * d + j)] =
          x[src * static_cast<std::size_t>(d) + static_cast<std::size_t>(j)];
    ls[static_cast<std::size_t>(i)] = label[src];
  }
  if (o.standardize) {  // preprocessing.scale: per feature, mean 0 and (population) variance 1
    for (int j = 0; j < d; ++j) {
      double mean = 0;
      for (int i = 0; i < n; ++i) mean += xs[static_cast<std::size_t>(i * d + j)];
      mean /= n;
      double var = 0;
      for (int i = 0; i < n; ++i) {
        const double t = xs[static_cast<std::size_t>(i * d + j)] - mean;
        var += t * t;
      }
      const double sd = std::sqrt(var / n);
      for (int i = 0; i < n; ++i) {
        double& v = xs[static_cast<std::size_t>(i * d + j)];
        v = (v - mean) / (sd == 0 ? 1.0 : sd);
      }
    }
  }
  DataSplit out;
  for (Dataset* part : {&out.train, &out.test}) {
    part->inputs.resize(o.num_samples, d);
    part->targets = Mat<Rational>::Zero(o.num_samples, k);
  }
  for (int i = 0; i < n; ++i) {
    Dataset& part = i < o.num_samples ? out.train : out.test;
    const int r = i % o.num_samples;
    for (int j = 0; j < d; ++j) part.inputs(r, j) = exact(xs[static_cast<std::size_t>(i * d + j)]);
    part.targets(r, ls[static_cast<std::size_t>(i)]) = 1;
  }
  return out;
}

Dataset make_xor(bool one_hot) {
  Dataset d;
  d.inputs.resize(4, 2);
  d.inputs << 0, 0, 0, 1, 1, 0, 1, 1;
  const int labels[4] = {0, 1, 1, 0};
  d.targets = Mat<Rational>::Zero(4, one_hot ? 2 : 1);
  for (int i = 0; i < 4; ++i) {
    if (one_hot) {
      d.targets(i, labels[i]) = 1;
    } else {
      d.targets(i, 0) = labels[i];
    }
  }
  return d;
}

Vec<Rational> random_point(const Network& network, std::uint32_t seed, double scale) {
  NumpyRandomState rng(seed);
  Vec<Rational> theta(network.num_parameters());
  for (Eigen::Index a = 0; a < theta.size(); ++a) theta(a) = exact(scale * rng.gauss());
  return theta;
}

Dataset make_teacher(const TeacherOptions& o, Vec<Rational>* teacher_theta) {
  o.teacher.validate();
  if (o.num_samples < 1 || !(o.noise >= 0)) {
    throw InvalidArgument(fmt::format(
        "teacher: num_samples = {}, noise = {}; expected >= 1 and >= 0", o.num_samples, o.noise));
  }
  NumpyRandomState rng(o.seed);
  const int n0 = o.teacher.width(0);
  const int nl = o.teacher.width(o.teacher.num_layers());
  Dataset d;
  d.inputs.resize(o.num_samples, n0);
  for (int i = 0; i < o.num_samples; ++i) {
    for (int j = 0; j < n0; ++j) d.inputs(i, j) = exact(rng.gauss());
  }
  Vec<Rational> theta(o.teacher.num_parameters());
  for (int l = 1; l <= o.teacher.num_layers(); ++l) {
    const double s = 1.0 / std::sqrt(static_cast<double>(o.teacher.width(l - 1)));
    for (int j = 0; j < o.teacher.width(l); ++j) {
      for (int k = 0; k < o.teacher.input_columns(l); ++k) {
        theta(o.teacher.augmented_index(l, j, k)) = exact(s * rng.gauss());
      }
    }
  }
  d.targets = Mat<Rational>::Zero(o.num_samples, nl);
  Network squared = o.teacher;
  squared.loss = LossKind::Squared;
  const LossFunction<double> fn(squared, d);
  const Mat<double> f = fn.outputs(convert_matrix<double>(Mat<Rational>(theta)));
  for (int i = 0; i < o.num_samples; ++i) {
    for (int c = 0; c < nl; ++c)
      d.targets(i, c) = exact(f(i, c) + o.noise * (o.noise > 0 ? rng.gauss() : 0.0));
  }
  if (teacher_theta != nullptr) *teacher_theta = theta;
  return d;
}

Dataset read_csv(const std::string& path, int num_inputs) {
  std::ifstream in(path);
  if (!in) throw Error(fmt::format("cannot read CSV file '{}'", path));
  std::vector<std::vector<Rational>> rows;
  std::string line;
  int lineno = 0;
  std::size_t cols = 0;
  while (std::getline(in, line)) {
    ++lineno;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<Rational> row;
    std::stringstream ss(line);
    std::string cell;
    bool numeric = true;
    int col = 0;
    while (std::getline(ss, cell, ',')) {
      ++col;
      try {
        row.push_back(parse_rational(cell));
      } catch (const ParseError& e) {
        if (rows.empty() && lineno == 1) {
          numeric = false;  // a header line
          break;
        }
        throw ParseError(fmt::format("{}:{}: column {}: {}", path, lineno, col, e.what()));
      }
    }
    if (!numeric) continue;
    if (rows.empty()) cols = row.size();
    if (row.size() != cols) {
      throw ParseError(fmt::format(
          "{}:{}: {} columns; expected {} like the first row", path, lineno, row.size(), cols));
    }
    rows.push_back(std::move(row));
  }
  if (rows.empty()) throw ParseError(fmt::format("{}: no data rows", path));
  if (num_inputs < 1 || static_cast<std::size_t>(num_inputs) >= cols) {
    throw ParseError(fmt::format(
        "{}: {} columns cannot hold {} inputs and at least one target", path, cols, num_inputs));
  }
  Dataset d;
  const auto n = static_cast<Eigen::Index>(rows.size());
  d.inputs.resize(n, num_inputs);
  d.targets.resize(n, static_cast<Eigen::Index>(cols) - num_inputs);
  for (Eigen::Index i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < cols; ++c) {
      const Rational& v = rows[static_cast<std::size_t>(i)][c];
      if (static_cast<int>(c) < num_inputs) {
        d.inputs(i, static_cast<Eigen::Index>(c)) = v;
      } else {
        d.targets(i, static_cast<Eigen::Index>(c) - num_inputs) = v;
      }
    }
  }
  return d;
}

}  // namespace locus
