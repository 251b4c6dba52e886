#include "locus/constructions/common.hpp"

#include <algorithm>

#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/linalg/spectrum.hpp"

#include <fmt/format.h>

namespace locus::constructions {

Inertia operator+(const Inertia& a, const Inertia& b) {
  return {a.positive + b.positive, a.negative + b.negative, a.zero + b.zero};
}

nlohmann::json to_json(const Inertia& in) {
  return {{"positive", in.positive}, {"negative", in.negative}, {"zero", in.zero}};
}

nlohmann::json matrix_json(const Mat<Rational>& m) {
  return number_matrix(m);
}

nlohmann::json matrix_json(const Mat<Ball>& m) {
  nlohmann::json rows = nlohmann::json::array();
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    nlohmann::json row = nlohmann::json::array();
    for (Eigen::Index j = 0; j < m.cols(); ++j) row.push_back(m(i, j).to_string(20));
    rows.push_back(row);
  }
  return rows;
}

nlohmann::json columns_json(const Mat<Rational>& m) {
  return number_matrix(m.transpose());  // the columns, each a list
}

Coordinate decode_index(const Network& net, Eigen::Index i) {
  for (int m = 1; m <= net.num_layers(); ++m) {
    const Eigen::Index off = net.layer_offset(m);
    const Eigen::Index cols = net.input_columns(m);
    const Eigen::Index size = static_cast<Eigen::Index>(net.width(m)) * cols;
    if (i >= off && i < off + size) {
      const Eigen::Index rel = i - off;
      const Eigen::Index nw = static_cast<Eigen::Index>(net.width(m)) * net.width(m - 1);
      if (rel < nw) {
        return {
            m, static_cast<int>(rel / net.width(m - 1)), static_cast<int>(rel % net.width(m - 1))};
      }
      return {m, static_cast<int>(rel - nw), net.width(m - 1)};
    }
  }
  throw InvalidArgument(
      fmt::format("coordinate {} is out of range (P = {})", i, net.num_parameters()));
}

bool exact_over_q(const Network& net) {
  if (net.loss != LossKind::Squared) return false;
  for (int l = 1; l < net.num_layers(); ++l) {
    const ActivationKind k = net.activation_at(l).kind;
    if (k != ActivationKind::Polynomial && k != ActivationKind::Identity &&
        k != ActivationKind::Relu && k != ActivationKind::LeakyRelu) {
      return false;
    }
  }
  return true;
}

Activation exp_taylor5() {
  return Activation::polynomial({Rational(1),
                                 Rational(1),
                                 Rational(1, 2),
                                 Rational(1, 6),
                                 Rational(1, 24),
                                 Rational(1, 120)});
}

Mat<Rational> midpoints(const Mat<Ball>& m) {
  Mat<Rational> out(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out(i, j) = m(i, j).mid();
  }
  return out;
}

}  // namespace locus::constructions
