// Minimum-norm Newton refinement of critical points (locus/solve/refine.hpp).
//
// Each step solves H δ = −g in the working arithmetic: a double eigendecomposition of the Hessian
// gives the pseudo-inverse H_d⁺ (eigenvalues below the R7 tolerance 10·P·u·‖H‖_F are cut), and
// iterative refinement δ ← δ + H_d⁺(−g − H δ) with Hessian-vector products in the working
// arithmetic removes the double error. Residual vectors are scaled by a power of two before they
// are rounded to double, so gradients of 1e-300 and below lose nothing. A backtracking line
// search on ‖∇L‖ guards the first steps.
#include <cmath>
#include <limits>

#include "locus/error.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/refine.hpp"

#include <Eigen/Eigenvalues>

#include <fmt/format.h>

namespace locus {
namespace {

// Exponent e with |x| < 2^e for the largest entry (0 for the zero vector).
template <class S>
int exponent_of(const Vec<S>& v) {
  using std::frexp;
  if (v.size() == 0) return 0;
  const S m = v.cwiseAbs().maxCoeff();
  if (m == 0) return 0;
  int e = 0;
  static_cast<void>(frexp(m, &e));
  return e;
}

template <class S>
Eigen::VectorXd scaled_double(const Vec<S>& v, int e) {
  using std::ldexp;
  Eigen::VectorXd out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) {
    out(i) = ScalarTraits<S>::to_double(ldexp(v(i), -e));
  }
  return out;
}

template <class S>
Vec<S> from_scaled_double(const Eigen::VectorXd& v, int e) {
  using std::ldexp;
  Vec<S> out(v.size());
  for (Eigen::Index i = 0; i < v.size(); ++i) out(i) = ldexp(S(v(i)), e);
  return out;
}

struct PseudoInverse {
  Eigen::MatrixXd q;  // kept eigenvectors
  Eigen::VectorXd d;  // kept eigenvalues
  Eigen::VectorXd apply(const Eigen::VectorXd& v) const {
    return q * ((q.transpose() * v).cwiseQuotient(d));
  }
};

PseudoInverse pseudo_inverse(const Eigen::MatrixXd& h) {
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(h);
  const double tau =
      10.0 * static_cast<double>(h.rows()) * std::numeric_limits<double>::epsilon() * h.norm();
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < es.eigenvalues().size(); ++i) {
    if (std::abs(es.eigenvalues()(i)) > tau) keep.push_back(i);
  }
  PseudoInverse out;
  out.q.resize(h.rows(), static_cast<Eigen::Index>(keep.size()));
  out.d.resize(static_cast<Eigen::Index>(keep.size()));
  for (std::size_t t = 0; t < keep.size(); ++t) {
    out.q.col(static_cast<Eigen::Index>(t)) = es.eigenvectors().col(keep[t]);
    out.d(static_cast<Eigen::Index>(t)) = es.eigenvalues()(keep[t]);
  }
  return out;
}

template <class S>
std::string text(const S& x) {
  const double d = ScalarTraits<S>::to_double(x);
  if (std::isfinite(d) && d != 0 && std::abs(d) > 1e-300) return fmt::format("{:.3e}", d);
  if (x == 0) return "0";
  return ScalarTraits<S>::to_string(x).substr(0, 12) + "...";
}

}  // namespace

std::string to_string(NewtonStatus status) {
  switch (status) {
    case NewtonStatus::Converged:
      return "converged";
    case NewtonStatus::Stagnated:
      return "stagnated";
    case NewtonStatus::MaxIterations:
      return "max-iterations";
  }
  return "?";
}

template <class S>
NewtonResult<S> newton_refine(const Network& network,
                              const Dataset& data,
                              Vec<S> theta,
                              const NewtonOptions& options) {
  using std::pow;
  const auto P = static_cast<Eigen::Index>(network.num_parameters());
  if (theta.size() != P) {
    throw InvalidArgument(
        fmt::format("newton_refine: θ has {} entries, expected P = {}", theta.size(), P));
  }
  for (Eigen::Index i = 0; i < P; ++i) {
    if (!ScalarTraits<S>::is_finite(theta(i))) {
      throw InvalidArgument(fmt::format("newton_refine: θ[{}] is {}, expected a finite number",
                                        i,
                                        ScalarTraits<S>::to_string(theta(i))));
    }
  }
  if (options.digits < 1) {
    throw InvalidArgument(fmt::format("newton_refine: digits = {}, expected >= 1", options.digits));
  }
  const LossFunction<S> f(network, data);
  const LossFunction<double> fd(network, data);
  NewtonResult<S> out;
  out.precision_bits = ScalarTraits<S>::digits();
  const S target = pow(S(10), -options.digits);
  Vec<S> g = f.gradient(theta);
  S gn = g.norm();
  std::vector<S> norms{gn};
  S last_step(0);
  for (int it = 0;; ++it) {
    if (gn <= target) {
      // A small gradient is not a critical point (math-spec §10 pitfall 11): Newton converging
      // onto one takes steps that shrink with ‖∇L‖. Steps that stay large while ‖∇L‖ falls mean
      // θ runs off to infinity along a flat valley (e.g. separable logistic regression).
      const S scale = S(1) + theta.norm();
      const S step_limit = pow(S(10), -(options.digits / 4)) * scale;
      if (!out.history.empty() && last_step > step_limit) {
        out.status = NewtonStatus::Stagnated;
        out.reason = fmt::format(
            "‖∇L‖ = {} <= 1e-{}, but the last step was {} (not shrinking: > 1e-{}·(1 + ‖θ‖)): "
            "θ runs off along a flat region, no critical point was reached",
            text(gn),
            options.digits,
            text(last_step),
            options.digits / 4);
        break;
      }
      out.status = NewtonStatus::Converged;
      out.reason = fmt::format("‖∇L‖ = {} <= 1e-{}", text(gn), options.digits);
      break;
    }
    if (it >= options.max_iterations) {
      out.status = NewtonStatus::MaxIterations;
      out.reason = fmt::format("{} iterations, ‖∇L‖ = {}", it, text(gn));
      break;
    }
    // Stagnation: less than a factor 2 over the last three steps, far from the target. Either a
    // gradient-flat region without a critical point, or the arithmetic's precision floor.
    if (it >= 3 && gn > norms[norms.size() - 4] / S(2)) {
      out.status = NewtonStatus::Stagnated;
      out.reason = fmt::format(
          "‖∇L‖ stopped decreasing at {} (three steps gained less than a factor 2): no critical "
          "point within reach, or the precision floor of {} ({} bits)",
          text(gn),
          ScalarTraits<S>::name(),
          out.precision_bits);
      break;
    }
    NewtonRecord rec;
    rec.iteration = it;
    rec.gradient_norm = text(gn);
    Vec<double> theta_d(P);
    for (Eigen::Index i = 0; i < P; ++i) theta_d(i) = ScalarTraits<S>::to_double(theta(i));
    const PseudoInverse pinv = pseudo_inverse(fd.hessian(theta_d));
    rec.rank = static_cast<long>(pinv.d.size());
    // Solve H δ = −g to (about) ‖g‖² with refinement in S.
    const Vec<S> rhs = -g;
    int e = exponent_of(rhs);
    Vec<S> delta = from_scaled_double<S>(pinv.apply(scaled_double(rhs, e)), e);
    S previous_residual = gn;
    const S inner_tol = gn * gn;
    int inner = 0;
    for (; inner < options.max_inner; ++inner) {
      const Vec<S> r = rhs - f.hessian_vector_product(theta, delta);
      const S rn = r.norm();
      if (rn <= inner_tol || rn > previous_residual / S(2)) break;
      previous_residual = rn;
      e = exponent_of(r);
      delta += from_scaled_double<S>(pinv.apply(scaled_double(r, e)), e);
    }
    rec.inner = inner;
    // Backtracking on ‖∇L‖.
    S t(1);
    Vec<S> trial = theta + delta;
    Vec<S> g_trial = f.gradient(trial);
    S gn_trial = g_trial.norm();
    for (int b = 0; b < 20 && !(gn_trial < gn); ++b) {
      t /= 2;
      trial = theta + delta * t;
      g_trial = f.gradient(trial);
      gn_trial = g_trial.norm();
    }
    last_step = delta.norm() * t;
    rec.step_norm = text(last_step);
    out.history.push_back(rec);
    if (!(gn_trial < gn)) {
      out.status = NewtonStatus::Stagnated;
      out.reason = fmt::format(
          "no step along the Newton direction lowers ‖∇L‖ = {}: no critical point within reach, "
          "or the precision floor of {}",
          text(gn),
          ScalarTraits<S>::name());
      break;
    }
    theta = trial;
    g = g_trial;
    gn = gn_trial;
    norms.push_back(gn);
  }
  out.theta = theta;
  out.gradient_norm = gn;
  out.loss = f.loss(theta);
  return out;
}

#define LOCUS_NEWTON_INSTANTIATE(Scalar, tag)          \
  template NewtonResult<Scalar> newton_refine<Scalar>( \
      const Network&, const Dataset&, Vec<Scalar>, const NewtonOptions&);
LOCUS_FOR_EACH_FLOATING_SCALAR(LOCUS_NEWTON_INSTANTIATE)
#undef LOCUS_NEWTON_INSTANTIATE

}  // namespace locus
