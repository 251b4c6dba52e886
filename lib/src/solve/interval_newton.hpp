// solve/interval_newton.hpp (internal): the pieces that Krawczyk's test (krawczyk.cpp) and its
// slice version (symmetry.cpp) share: the double preconditioner, the row sums of |I − M| in balls,
// and the max-norm of an exact linear map.
#pragma once

#include <algorithm>
#include <limits>
#include <optional>
#include <vector>

#include "locus/scalar/all.hpp"

#include <Eigen/Eigenvalues>

namespace locus::detail {

/// C ≈ A⁻¹ for a symmetric double matrix, from its eigendecomposition, or none when the smallest
/// |eigenvalue| is not above τ = 10·n·u·‖A‖_F (singular to double; both are reported).
inline std::optional<Mat<double>> double_preconditioner(const Mat<double>& a,
                                                        double& min_abs,
                                                        double& tau) {
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(a);
  tau = 10.0 * static_cast<double>(a.rows()) * std::numeric_limits<double>::epsilon() * a.norm();
  min_abs = es.eigenvalues().cwiseAbs().minCoeff();
  if (!(min_abs > tau)) return std::nullopt;
  return Mat<double>(es.eigenvectors() * es.eigenvalues().cwiseInverse().asDiagonal() *
                     es.eigenvectors().transpose());
}

/// Exact upper bounds of the row sums Σ_j |(I − m)_ij| of a square ball matrix, or none (with the
/// first row that is not finite in `bad_row`).
inline std::optional<std::vector<Rational>> identity_defect_rows(const Mat<Ball>& m,
                                                                 Eigen::Index& bad_row) {
  std::vector<Rational> rows;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    Ball s(0);
    for (Eigen::Index j = 0; j < m.cols(); ++j) s += abs((i == j ? Ball(1) : Ball(0)) - m(i, j));
    if (!s.is_finite()) {
      bad_row = i;
      return std::nullopt;
    }
    rows.push_back(s.upper());
  }
  return rows;
}

/// max_i Σ_j |m_ij|, exactly: x ∈ [−r, r]^n maps into [−‖m‖_∞ r, ‖m‖_∞ r]^rows.
inline Rational max_row_sum(const Mat<Rational>& m) {
  Rational worst(0);
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    Rational s(0);
    for (Eigen::Index j = 0; j < m.cols(); ++j) s += abs(m(i, j));
    worst = std::max(worst, s);
  }
  return worst;
}

}  // namespace locus::detail
