// Krawczyk's existence test for critical points (locus/solve/existence.hpp).
#include <cmath>
#include <limits>

#include "scalar/gemm.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/existence.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

namespace locus {
namespace {

// An exact upper bound of |x|.
Rational abs_upper(const Ball& x) {
  return abs(x).upper();
}

}  // namespace

ExistenceProof prove_critical_point(const Network& network,
                                    const Dataset& data,
                                    const Vec<Rational>& theta,
                                    int bits,
                                    Mat<Ball>* box_hessian) {
  const auto P = static_cast<Eigen::Index>(network.num_parameters());
  if (theta.size() != P) {
    throw InvalidArgument(
        fmt::format("prove_critical_point: θ has {} entries, expected P = {}", theta.size(), P));
  }
  if (bits < 32) {
    throw InvalidArgument(fmt::format("prove_critical_point: bits = {}, expected >= 32", bits));
  }
  ExistenceProof out;
  out.bits = bits;
  out.method = fmt::format("Krawczyk, Arb balls at {} bits", bits);
  // The preconditioner R = H⁻¹ in double, from an eigendecomposition (singularity is visible).
  Vec<double> theta_d(P);
  for (Eigen::Index i = 0; i < P; ++i) theta_d(i) = to_double_nearest(theta(i));
  const Mat<double> hd = LossFunction<double>(network, data).hessian(theta_d);
  if (!hd.allFinite()) {
    out.reason = "the double Hessian is not finite at θ̃";
    return out;
  }
  const Eigen::SelfAdjointEigenSolver<Mat<double>> es(hd);
  const double tau =
      10.0 * static_cast<double>(P) * std::numeric_limits<double>::epsilon() * hd.norm();
  const double min_abs = es.eigenvalues().cwiseAbs().minCoeff();
  if (!(min_abs > tau)) {
    out.reason = fmt::format(
        "the Hessian is singular to double precision (min |λ| = {:.3e} <= 10·P·u·‖H‖_F = {:.3e}): "
        "a degenerate critical point is not an isolated zero of ∇L, Krawczyk's test does not "
        "apply",
        min_abs,
        tau);
    return out;
  }
  out.attempted = true;
  const Mat<double> r_d = es.eigenvectors() * es.eigenvalues().cwiseInverse().asDiagonal() *
                          es.eigenvectors().transpose();

  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(network, data);
  Mat<Ball> r(P, P);
  for (Eigen::Index j = 0; j < P; ++j) {
    for (Eigen::Index i = 0; i < P; ++i) r(i, j) = Ball(r_d(i, j));
  }
  Vec<Ball> center(P);
  for (Eigen::Index i = 0; i < P; ++i) center(i) = Ball(theta(i));
  const Vec<Ball> g = f.gradient(center);
  const Mat<Ball> y = detail::product<Ball>(r, false, g);
  Rational rho(0);
  std::vector<Rational> y_abs(static_cast<std::size_t>(P));
  for (Eigen::Index i = 0; i < P; ++i) {
    if (!y(i, 0).is_finite()) {
      out.reason = fmt::format("R·∇L is not finite at component {}", i);
      return out;
    }
    y_abs[static_cast<std::size_t>(i)] = abs_upper(y(i, 0));
    rho = std::max(rho, y_abs[static_cast<std::size_t>(i)]);
  }
  if (rho == 0) {
    out.proved = true;
    out.radius = 0;
    out.contraction = 0;
    out.reason = "∇L(θ̃) = 0 exactly";
    return out;
  }
  const Rational radius = 4 * rho;
  Vec<Ball> box(P);
  for (Eigen::Index i = 0; i < P; ++i) box(i) = Ball::from_mid_rad(theta(i), radius);
  const Mat<Ball> hx = f.hessian(box);
  if (box_hessian != nullptr) *box_hessian = hx;
  Mat<Ball> m = detail::product<Ball>(r, false, hx);
  Rational contraction(0);
  Eigen::Index worst = 0;
  bool inside = true;
  for (Eigen::Index i = 0; i < P; ++i) {
    Ball row(0);
    for (Eigen::Index j = 0; j < P; ++j) {
      const Ball mij = (i == j ? Ball(1) : Ball(0)) - m(i, j);
      row += abs(mij);
    }
    if (!row.is_finite()) {
      out.reason = fmt::format("I − R·∇²L(X) is not finite in row {}", i);
      return out;
    }
    const Rational c = row.upper();
    if (c > contraction) {
      contraction = c;
      worst = i;
    }
    const Rational lhs = y_abs[static_cast<std::size_t>(i)] + c * radius;
    if (!(lhs < radius)) inside = false;
  }
  out.radius = radius;
  out.contraction = contraction;
  out.proved = inside;
  if (!inside) {
    out.reason = fmt::format(
        "K(X) is not inside X: max_i Σ_j |I − R∇²L(X)|_ij = {:.3e} (row {}) with r = {:.3e}; the "
        "double inverse of the Hessian is too inaccurate (ill-conditioned) or θ̃ is not close "
        "enough to a critical point",
        to_double_nearest(contraction),
        worst,
        to_double_nearest(radius));
  }
  return out;
}

nlohmann::json to_json(const ExistenceProof& proof) {
  nlohmann::json j = {{"attempted", proof.attempted}, {"proved", proof.proved}};
  if (proof.attempted) {
    j["radius"] = format_bound(proof.radius, true, 4);
    j["contraction"] = format_bound(proof.contraction, true, 4);
    j["method"] = proof.method;
  }
  if (!proof.reason.empty()) j["reason"] = proof.reason;
  return j;
}

}  // namespace locus
