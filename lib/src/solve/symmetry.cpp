// Existence of a critical manifold through a slice transversal to the symmetries of L
// (locus/solve/symmetry.hpp, docs/math/symmetry-slices.md).
#include "locus/solve/symmetry.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "scalar/gemm.hpp"
#include "solve/interval_newton.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/spectrum.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <fmt/format.h>

namespace locus {

namespace {

// Softmax cross-entropy is unchanged when the same number is added to every logit: for each input
// column k of W̃_L (a hidden unit, or the bias), adding t to column k of every output row shifts
// all logits by t·h_k. These translations are constant fields. An L2 term breaks the ones whose
// entries it covers (scikit-learn's alpha leaves the bias translation).
std::vector<std::vector<int>> translation_fields(const Network& net) {
  std::vector<std::vector<int>> out;
  const int L = net.num_layers();
  if (net.loss != LossKind::CrossEntropy || net.width(L) < 2) return out;
  const auto P = static_cast<std::size_t>(net.num_parameters());
  for (int k = 0; k < net.input_columns(L); ++k) {
    std::vector<int> v(P, 0);
    bool broken = false;
    for (int i = 0; i < net.width(L); ++i) {
      const auto idx = net.augmented_index(L, i, k);
      if (net.l2 != 0 && net.in_l2_scope(idx)) broken = true;
      v[static_cast<std::size_t>(idx)] = 1;
    }
    if (!broken) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

template <class Scalar>
Mat<Scalar> symmetry_fields(const Network& net, const Vec<Scalar>& theta);

namespace {

// With frozen parameters (docs/math/frozen.md) a field of the full network is a symmetry of the
// loss over the free parameters when its flow leaves every frozen parameter where it is, that is
// when its entries at the frozen indices vanish identically on {θ_frozen = values}. Every entry of
// the fields above is one term, ±θ_j or a constant, so it vanishes identically there exactly when
// it vanishes with the free parameters set to 0 and to 1. Those fields, restricted to the free
// rows, are returned.
template <class Scalar>
Mat<Scalar> frozen_fields(const Network& net, const Vec<Scalar>& theta) {
  const Network all = net.layout();
  const std::vector<std::ptrdiff_t> free = net.free_indices();
  if (theta.size() != static_cast<Eigen::Index>(free.size())) {
    throw InvalidArgument(
        fmt::format("symmetry_fields: θ has {} entries, expected P = {} free parameters",
                    theta.size(),
                    free.size()));
  }
  const auto with_free = [&](const auto& value_of) {
    Vec<Rational> t(all.num_parameters());
    for (const FrozenParameter& f : net.frozen) t(f.index) = f.value;
    for (std::size_t k = 0; k < free.size(); ++k) t(free[k]) = value_of(k);
    return symmetry_fields<Rational>(all, t);
  };
  const Mat<Rational> at0 = with_free([](std::size_t) { return Rational(0); });
  const Mat<Rational> at1 = with_free([](std::size_t) { return Rational(1); });
  Vec<Scalar> full(all.num_parameters());
  for (const FrozenParameter& f : net.frozen)
    full(f.index) = ScalarTraits<Scalar>::from_rational(f.value);
  for (std::size_t k = 0; k < free.size(); ++k) full(free[k]) = theta(static_cast<Eigen::Index>(k));
  const Mat<Scalar> fields = symmetry_fields<Scalar>(all, full);
  std::vector<Eigen::Index> kept;
  for (Eigen::Index j = 0; j < fields.cols(); ++j) {
    bool tangent = true;
    for (const FrozenParameter& f : net.frozen) {
      tangent = tangent && at0(f.index, j) == 0 && at1(f.index, j) == 0;
    }
    if (tangent) kept.push_back(j);
  }
  Mat<Scalar> out(static_cast<Eigen::Index>(free.size()), static_cast<Eigen::Index>(kept.size()));
  for (std::size_t j = 0; j < kept.size(); ++j) {
    for (std::size_t k = 0; k < free.size(); ++k) {
      out(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(j)) = fields(free[k], kept[j]);
    }
  }
  return out;
}

}  // namespace

template <class Scalar>
Mat<Scalar> symmetry_fields(const Network& net, const Vec<Scalar>& theta) {
  if (!net.frozen.empty()) return frozen_fields<Scalar>(net, theta);
  const auto P = static_cast<Eigen::Index>(net.num_parameters());
  if (theta.size() != P) {
    throw InvalidArgument(
        fmt::format("symmetry_fields: θ has {} entries, expected P = {}", theta.size(), P));
  }
  std::vector<Vec<Scalar>> fields;
  // An L2 term is not invariant under the rescalings (docs/math/symmetry-slices.md): none of them.
  if (net.l2 == 0) {
    for (int l = 1; l < net.num_layers(); ++l) {
      const Activation& act = net.activation_at(l);
      if (!act.positively_homogeneous()) continue;
      const bool linear = act.kind == ActivationKind::Identity;
      const int n = net.width(l);
      const int cols_in = net.input_columns(l);
      for (int a = 0; a < n; ++a) {
        for (int b = 0; b < n; ++b) {
          if (!linear && a != b) continue;
          // E = E_ab: row a of W̃_l gains row b; column b of W_{l+1} loses column a.
          Vec<Scalar> v = Vec<Scalar>::Zero(P);
          for (int k = 0; k < cols_in; ++k) {
            v(net.augmented_index(l, a, k)) += theta(net.augmented_index(l, b, k));
          }
          for (int i = 0; i < net.width(l + 1); ++i) {
            v(net.weight_index(l + 1, i, b)) -= theta(net.weight_index(l + 1, i, a));
          }
          fields.push_back(std::move(v));
        }
      }
    }
  }
  for (const auto& v : translation_fields(net)) {
    Vec<Scalar> w(P);
    for (Eigen::Index i = 0; i < P; ++i) w(i) = Scalar(v[static_cast<std::size_t>(i)]);
    fields.push_back(std::move(w));
  }
  Mat<Scalar> out(P, static_cast<Eigen::Index>(fields.size()));
  for (std::size_t j = 0; j < fields.size(); ++j) out.col(static_cast<Eigen::Index>(j)) = fields[j];
  return out;
}

bool has_continuous_symmetry(const Network& network) {
  if (!network.frozen.empty()) {
    // the fields that survive depend on the frozen values: ask for them at θ = 0
    return symmetry_fields<Rational>(network, Vec<Rational>::Zero(network.num_parameters()))
               .cols() > 0;
  }
  if (!translation_fields(network).empty()) return true;
  if (network.l2 != 0) return false;
  for (int l = 1; l < network.num_layers(); ++l) {
    if (network.activation_at(l).positively_homogeneous()) return true;
  }
  return false;
}

template Mat<Rational> symmetry_fields<Rational>(const Network&, const Vec<Rational>&);
template Mat<Ball> symmetry_fields<Ball>(const Network&, const Vec<Ball>&);

namespace {

// Above this P the exact null space and the O(P³) ball products of the slice take minutes.
constexpr Eigen::Index kSliceLimit = 300;

// The columns of v that are linearly independent (the pivot columns of its echelon form), exactly.
std::vector<Eigen::Index> independent_columns(Mat<Rational> a) {
  std::vector<Eigen::Index> pivots;
  Eigen::Index r = 0;
  for (Eigen::Index j = 0; j < a.cols() && r < a.rows(); ++j) {
    Eigen::Index p = r;
    while (p < a.rows() && a(p, j) == 0) ++p;
    if (p == a.rows()) continue;
    a.row(p).swap(a.row(r));
    for (Eigen::Index i = r + 1; i < a.rows(); ++i) {
      if (a(i, j) == 0) continue;
      const Rational f = a(i, j) / a(r, j);
      for (Eigen::Index c = j; c < a.cols(); ++c) a(i, c) -= f * a(r, c);
    }
    pivots.push_back(j);
    ++r;
  }
  return pivots;
}

Mat<Ball> to_balls(const Mat<Rational>& m) {
  Mat<Ball> out(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out(i, j) = Ball(m(i, j));
  }
  return out;
}

Mat<Ball> to_balls(const Mat<double>& m) {
  Mat<Ball> out(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) out(i, j) = Ball(m(i, j));
  }
  return out;
}

}  // namespace

SliceProof prove_critical_orbit(const Network& network,
                                const Dataset& data,
                                const Vec<Rational>& theta,
                                int bits) {
  const auto P = static_cast<Eigen::Index>(network.num_parameters());
  if (theta.size() != P) {
    throw InvalidArgument(
        fmt::format("prove_critical_orbit: θ has {} entries, expected P = {}", theta.size(), P));
  }
  if (bits < 32) {
    throw InvalidArgument(fmt::format("prove_critical_orbit: bits = {}, expected >= 32", bits));
  }
  SliceProof out;
  out.bits = bits;
  out.method = fmt::format(
      "Krawczyk on a slice transversal to the symmetry orbit, Arb balls at {} bits", bits);
  if (!has_continuous_symmetry(network)) {
    out.reason = fmt::format(
        "{} has no continuous symmetry that locus knows (rescalings of identity, relu and "
        "leaky_relu layers without an L2 term)",
        network.describe());
    return out;
  }
  if (P > kSliceLimit) {
    out.reason = fmt::format(
        "P = {} is above {}: the exact slice basis and the ball products N^T H N are not attempted",
        P,
        kSliceLimit);
    return out;
  }
  const Mat<Rational> v = symmetry_fields<Rational>(network, theta);
  const std::vector<Eigen::Index> sel = independent_columns(v);
  const auto k = static_cast<Eigen::Index>(sel.size());
  if (k == 0) {
    out.reason = "every symmetry field vanishes at θ̃ (no orbit through it)";
    return out;
  }
  if (k >= P) {
    out.reason = "the orbit fills a neighbourhood: no transversal slice";
    return out;
  }
  Mat<Rational> kk(P, k);
  for (Eigen::Index j = 0; j < k; ++j) kk.col(j) = v.col(sel[static_cast<std::size_t>(j)]);
  const Mat<Rational> tk = kk.transpose();
  const Mat<Rational> n = exact_null_space(tk);  // a basis of K^⊥, exact
  if (n.cols() != P - k) {
    out.reason = "the complement of the orbit's tangent has the wrong dimension";
    return out;
  }
  out.dimension = k;
  // The preconditioner C ≈ (Nᵀ∇²L(θ̃)N)⁻¹ in double.
  Mat<double> nd(P, P - k);
  for (Eigen::Index j = 0; j < nd.cols(); ++j) {
    for (Eigen::Index i = 0; i < P; ++i) nd(i, j) = to_double_nearest(n(i, j));
  }
  Vec<double> theta_d(P);
  for (Eigen::Index i = 0; i < P; ++i) theta_d(i) = to_double_nearest(theta(i));
  Mat<double> c_d;
  try {
    const Mat<double> hd = LossFunction<double>(network, data).hessian(theta_d);
    const Mat<double> ad = nd.transpose() * hd * nd;
    if (!ad.allFinite()) {
      out.reason = "the Hessian on the slice is not finite at θ̃";
      return out;
    }
    double min_abs = 0, tau = 0;
    const std::optional<Mat<double>> inverse = detail::double_preconditioner(ad, min_abs, tau);
    if (!inverse) {
      out.reason = fmt::format(
          "the Hessian is singular on the slice too (min |λ| = {:.3e} <= {:.3e} in double): the "
          "degeneracy is not explained by the symmetries alone",
          min_abs,
          tau);
      return out;
    }
    c_d = *inverse;
  } catch (const NotDifferentiable& e) {
    out.reason = std::string("not differentiable at θ̃: ") + e.what();
    return out;
  }
  out.attempted = true;
  const ScopedBallPrecision precision(bits);
  try {
    const LossFunction<Ball> f(network, data);
    const Mat<Ball> nb = to_balls(n);
    const Mat<Ball> cb = to_balls(c_d);
    Vec<Ball> center(P);
    for (Eigen::Index i = 0; i < P; ++i) center(i) = Ball(theta(i));
    const Vec<Ball> g = f.gradient(center);
    const Mat<Ball> f0 = detail::product<Ball>(nb, true, g);  // Nᵀ∇L(θ̃)
    const Mat<Ball> y = detail::product<Ball>(cb, false, f0);
    Rational rho(0);
    std::vector<Rational> y_abs;
    for (Eigen::Index i = 0; i < y.rows(); ++i) {
      if (!y(i, 0).is_finite()) {
        out.reason = fmt::format("C·Nᵀ∇L is not finite at component {}", i);
        return out;
      }
      y_abs.push_back(abs(y(i, 0)).upper());
      rho = std::max(rho, y_abs.back());
    }
    // The box X = θ̃ + N·[−ρ, ρ]^(P−k) (ρ = 0: X = {θ̃}, and Nᵀ∇L(θ̃) = 0 exactly).
    const Rational radius_y = 4 * rho;
    Vec<Ball> ybox(P - k);
    for (Eigen::Index j = 0; j < ybox.size(); ++j) ybox(j) = Ball::from_mid_rad(0, radius_y);
    const Mat<Ball> ny = detail::product<Ball>(nb, false, ybox);
    Vec<Ball> x(P);
    for (Eigen::Index i = 0; i < P; ++i) x(i) = center(i) + ny(i, 0);
    const Mat<Ball> hx = f.hessian(x);
    out.box_hessian = hx;
    if (rho > 0) {
      const Mat<Ball> nh = detail::product<Ball>(nb, true, hx);
      const Mat<Ball> df = detail::product<Ball>(nh, false, nb);  // Nᵀ∇²L(X)N
      const Mat<Ball> cdf = detail::product<Ball>(cb, false, df);
      Eigen::Index bad_row = 0;
      const auto rows = detail::identity_defect_rows(cdf, bad_row);
      if (!rows) {
        out.reason = "I − C·Nᵀ∇²L(X)N is not finite";
        return out;
      }
      out.contraction = *std::max_element(rows->begin(), rows->end());
      for (Eigen::Index i = 0; i < static_cast<Eigen::Index>(rows->size()); ++i) {
        if (!(y_abs[static_cast<std::size_t>(i)] + (*rows)[static_cast<std::size_t>(i)] * radius_y <
              radius_y)) {
          out.reason = fmt::format(
              "K(Y) is not inside Y on the slice (row {}, contraction {:.3e}): θ̃ is not close "
              "enough to a critical point, or the preconditioner is too inaccurate",
              i,
              to_double_nearest(out.contraction));
          return out;
        }
      }
    }
    // θ* ∈ X, with ∇L(θ*) ∈ span K. The fields over X, against K: W(X)ᵀK nonsingular for every
    // point of X forces ∇L(θ*) = 0 (∇L ⊥ V_i everywhere).
    const Mat<Ball> wx = symmetry_fields<Ball>(network, x);
    Mat<Ball> w(P, k);
    for (Eigen::Index j = 0; j < k; ++j) w.col(j) = wx.col(sel[static_cast<std::size_t>(j)]);
    const Mat<Ball> m = detail::product<Ball>(w, true, to_balls(kk));  // k × k
    Mat<double> md(k, k);
    for (Eigen::Index j = 0; j < k; ++j) {
      for (Eigen::Index i = 0; i < k; ++i) md(i, j) = m(i, j).mid_double();
    }
    const Mat<double> rd = md.partialPivLu().inverse();
    if (!rd.allFinite()) {
      out.reason = "the symmetry fields are not independent of the slice over the box";
      return out;
    }
    Eigen::Index bad_row = 0;
    const auto defect_rows =
        detail::identity_defect_rows(detail::product<Ball>(to_balls(rd), false, m), bad_row);
    if (!defect_rows) {
      out.reason = "V(X)ᵀK is not certified nonsingular over the box (I − R·V(X)ᵀK is not finite)";
      return out;
    }
    const Rational defect = *std::max_element(defect_rows->begin(), defect_rows->end());
    if (!(defect < 1)) {
      out.reason = fmt::format(
          "V(X)ᵀK is not certified nonsingular over the box (‖I − R·V(X)ᵀK‖_∞ <= {:.3e})",
          to_double_nearest(defect));
      return out;
    }
    out.radius = detail::max_row_sum(n) * radius_y;
    out.proved = true;
  } catch (const NotDifferentiable& e) {
    out.reason = std::string("not differentiable on the box: ") + e.what();
    return out;
  }
  return out;
}

nlohmann::json to_json(const SliceProof& proof) {
  nlohmann::json j = {{"attempted", proof.attempted},
                      {"proved", proof.proved},
                      {"dimension", proof.dimension},
                      {"method", proof.method}};
  if (proof.attempted) {
    j["radius"] = format_bound(proof.radius, true, 4);
    j["contraction"] = format_bound(proof.contraction, true, 4);
  }
  if (!proof.reason.empty()) j["reason"] = proof.reason;
  return j;
}

}  // namespace locus
