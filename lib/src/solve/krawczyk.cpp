// Krawczyk's existence test for critical points (locus/solve/existence.hpp).
#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "scalar/gemm.hpp"
#include "solve/interval_newton.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
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

// The preconditioner C ≈ ∇²L(θ̃)⁻¹ from an eigendecomposition in MPFR, for Hessians too close to
// singular for double: empty (with `why`) when the smallest |eigenvalue| is not above
// 10·P·u·‖H‖_F at this precision either.
template <class S>
std::optional<Mat<Rational>> mpfr_preconditioner(const Network& network,
                                                 const Dataset& data,
                                                 const Vec<Rational>& theta,
                                                 std::string& why) {
  const Eigen::Index P = theta.size();
  Vec<S> t(P);
  for (Eigen::Index i = 0; i < P; ++i) t(i) = ScalarTraits<S>::from_rational(theta(i));
  const Mat<S> h = LossFunction<S>(network, data).hessian(t);
  const SymmetricEigen<S> es = symmetric_eigen<S>(h, true);
  if (!es.converged) {
    why = fmt::format("the {} eigensolver did not converge", ScalarTraits<S>::name());
    return std::nullopt;
  }
  using std::abs;
  const S tau = S(10) * S(static_cast<long>(P)) * ScalarTraits<S>::epsilon() * h.norm();
  S min_abs = abs(es.values(0));
  for (Eigen::Index i = 1; i < P; ++i) min_abs = std::min(min_abs, S(abs(es.values(i))));
  if (!(min_abs > tau)) {
    why = fmt::format(
        "the Hessian is singular to {} precision too (min |λ| = {:.3e} <= 10·P·u·‖H‖_F = {:.3e}): "
        "a degenerate critical point is not an isolated zero of ∇L, Krawczyk's test does not "
        "apply",
        ScalarTraits<S>::name(),
        ScalarTraits<S>::to_double(min_abs),
        ScalarTraits<S>::to_double(tau));
    return std::nullopt;
  }
  Vec<S> inv(P);
  for (Eigen::Index i = 0; i < P; ++i) inv(i) = S(1) / es.values(i);
  const Mat<S> c = es.vectors * inv.asDiagonal() * es.vectors.transpose();
  Mat<Rational> out(P, P);
  for (Eigen::Index j = 0; j < P; ++j) {
    for (Eigen::Index i = 0; i < P; ++i) out(i, j) = ScalarTraits<S>::to_rational(c(i, j));
  }
  return out;
}

// The MPFR preconditioner at the smallest built-in precision >= bits.
std::optional<Mat<Rational>> preconditioner_at(const Network& network,
                                               const Dataset& data,
                                               const Vec<Rational>& theta,
                                               int bits,
                                               std::string& why) {
  if (bits <= 128) return mpfr_preconditioner<Mpfr<128>>(network, data, theta, why);
  if (bits <= 256) return mpfr_preconditioner<Mpfr<256>>(network, data, theta, why);
  if (bits <= 512) return mpfr_preconditioner<Mpfr<512>>(network, data, theta, why);
  return mpfr_preconditioner<Mpfr<1024>>(network, data, theta, why);
}

// Above this P the MPFR eigendecomposition of the fallback takes minutes: not attempted.
constexpr Eigen::Index kMpfrPreconditionerLimit = 300;

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
  double min_abs = 0, tau = 0;
  const std::optional<Mat<double>> r_d = detail::double_preconditioner(hd, min_abs, tau);
  // Too close to singular for a double preconditioner: decide at the working precision instead
  // (the Hessian of a nondegenerate point can have eigenvalues far below double's resolution).
  std::optional<Mat<Rational>> r_exact;
  if (!r_d) {
    if (P > kMpfrPreconditionerLimit) {
      out.reason = fmt::format(
          "the Hessian is singular to double precision (min |λ| ≈ {:.3e} <= 10·P·u·‖H‖_F = "
          "{:.3e}) and P = {} is above {} for a preconditioner in MPFR",
          min_abs,
          tau,
          P,
          kMpfrPreconditionerLimit);
      return out;
    }
    std::string why;
    r_exact = preconditioner_at(network, data, theta, bits, why);
    if (!r_exact) {
      out.reason = why;
      return out;
    }
    out.method += " (preconditioner from an MPFR eigendecomposition)";
  }
  out.attempted = true;
  const ScopedBallPrecision precision(bits);
  const LossFunction<Ball> f(network, data);
  Mat<Ball> r(P, P);
  out.preconditioner.resize(P, P);
  if (r_exact) {
    out.preconditioner = *r_exact;
    for (Eigen::Index j = 0; j < P; ++j) {
      for (Eigen::Index i = 0; i < P; ++i) r(i, j) = Ball((*r_exact)(i, j));
    }
  } else {
    for (Eigen::Index j = 0; j < P; ++j) {
      for (Eigen::Index i = 0; i < P; ++i) {
        r(i, j) = Ball((*r_d)(i, j));
        out.preconditioner(i, j) = Rational((*r_d)(i, j));
      }
    }
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
  const Mat<Ball> m = detail::product<Ball>(r, false, hx);
  Eigen::Index bad_row = 0;
  const auto rows = detail::identity_defect_rows(m, bad_row);
  if (!rows) {
    out.reason = fmt::format("I − R·∇²L(X) is not finite in row {}", bad_row);
    return out;
  }
  Rational contraction(0);
  Eigen::Index worst = 0;
  bool inside = true;
  for (Eigen::Index i = 0; i < P; ++i) {
    const Rational& c = (*rows)[static_cast<std::size_t>(i)];
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
