// Minimum-norm Newton refinement of critical points (locus/solve/refine.hpp).
//
// Each step solves H δ = −g in the working arithmetic: an eigendecomposition of the Hessian in a
// preconditioner arithmetic T gives the pseudo-inverse H_T⁺ (eigenvalues below the R7 tolerance
// 10·P·u_T·‖H‖_F are cut), and iterative refinement δ ← δ + H_T⁺(−g − H δ) with Hessian-vector
// products in the working arithmetic removes T's error. T is double, and float128 after a
// stagnation in double (an ill-conditioned Hessian whose small eigenvalues double cannot
// resolve). Residual vectors are scaled by a power of two before they are rounded to T, so
// gradients of 1e-300 and below lose nothing. A backtracking line search on ‖∇L‖ guards the first
// steps; it also accepts a step that passes Deuflhard's natural monotonicity test, so that
// curved, ill-conditioned valleys do not stall it.
#include <chrono>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "locus/error.hpp"
#include "locus/linalg/dense.hpp"
#include "locus/scalar/all.hpp"
#include "locus/solve/refine.hpp"

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

// Entry-wise conversion through the exact rational value (no double rounding).
template <class To, class From>
Vec<To> convert_vector(const Vec<From>& v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else {
    Vec<To> out(v.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      if constexpr (ScalarTraits<To>::is_native_double) {  // direct, no rational
        out(i) = ScalarTraits<From>::to_double(v(i));
      } else {
        out(i) = ScalarTraits<To>::from_rational(ScalarTraits<From>::to_rational(v(i)));
      }
    }
    return out;
  }
}

// The pseudo-inverse of a symmetric matrix from an eigendecomposition in T: eigenvalues with
// |λ| <= 10·P·u_T·‖H‖_F (R7) are cut.
template <class T>
struct PseudoInverse {
  Mat<T> q;  // kept eigenvectors
  Vec<T> d;  // kept eigenvalues

  explicit PseudoInverse(const Mat<T>& h) {
    // (LAPACK's dsyevd for double; an eigensolver that did not converge keeps nothing, and the
    // step then stagnates)
    const SymmetricEigen<T> es = symmetric_eigen<T>(h, true);
    const T tau = T(10) * T(static_cast<double>(h.rows())) * ScalarTraits<T>::epsilon() * h.norm();
    std::vector<Eigen::Index> keep;
    for (Eigen::Index i = 0; es.converged && i < es.values.size(); ++i) {
      using std::abs;
      if (abs(es.values(i)) > tau) keep.push_back(i);
    }
    q.resize(h.rows(), static_cast<Eigen::Index>(keep.size()));
    d.resize(static_cast<Eigen::Index>(keep.size()));
    for (std::size_t t = 0; t < keep.size(); ++t) {
      q.col(static_cast<Eigen::Index>(t)) = es.vectors.col(keep[t]);
      d(static_cast<Eigen::Index>(t)) = es.values(keep[t]);
    }
  }

  // H⁺ v for v in the working arithmetic S. v is scaled by a power of two before it is rounded
  // to T, so gradients of 1e-300 and below lose nothing.
  template <class S>
  Vec<S> apply(const Vec<S>& v) const {
    using std::ldexp;
    const int e = exponent_of(v);
    Vec<S> scaled(v.size());
    for (Eigen::Index i = 0; i < v.size(); ++i) scaled(i) = ldexp(v(i), -e);
    const Vec<T> vt = convert_vector<T>(scaled);
    const Vec<T> y = q * ((q.transpose() * vt).cwiseQuotient(d));
    Vec<S> out = convert_vector<S>(y);
    for (Eigen::Index i = 0; i < out.size(); ++i) out(i) = ldexp(out(i), e);
    return out;
  }
};

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
  NewtonResult<S> out;
  out.precision_bits = ScalarTraits<S>::digits();
  const S target = pow(S(10), -options.digits);
  Vec<S> g = f.gradient(theta);
  S gn = g.norm();
  std::vector<S> norms{gn};
  std::vector<S> corrections;    // ‖δ_k‖, the Newton corrections
  std::vector<bool> full_steps;  // whether step k was undamped
  std::vector<S> steps;          // accepted step lengths
  const S start_norm = theta.norm();
  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  S last_step(0);
  // Preconditioner level: 0 double, 1 float128 (only worth it when S is wider than 64 bits).
  int level = 0;
#if LOCUS_HAS_FLOAT128
  const int max_level = ScalarTraits<S>::digits() > 64 ? 1 : 0;
#else
  const int max_level = 0;
#endif
  // On stagnation, first retry with the float128 preconditioner.
  const auto escalate = [&] {
    if (level >= max_level) return false;
    ++level;
    norms.assign(1, gn);
    corrections.clear();
    full_steps.clear();
    return true;
  };
  for (int it = 0;; ++it) {
    if (gn <= target) {
      // A small gradient is not a critical point (docs/refine-classify.md pitfall 11): Newton converging
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
    const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
    if (seconds > options.max_seconds) {
      out.status = NewtonStatus::MaxIterations;
      out.reason = fmt::format("the time budget of {:.3g} s ran out after {} iterations, ‖∇L‖ = {}",
                               options.max_seconds,
                               it,
                               text(gn));
      break;
    }
    // Stagnation: less than a factor 2 over the last three steps, far from the target. Either a
    // gradient-flat region without a critical point, or the arithmetic's precision floor.
    // Damped steps are the global phase of the iteration (a curved valley is crossed in many
    // short steps): three steps that gain less than a factor 2 in ‖∇L‖ and in ‖δ‖ are stagnation
    // when they were undamped; damped steps get ten.
    const auto stalled = [](const std::vector<S>& v, std::size_t back) {
      return v.size() > back && v.back() > v[v.size() - 1 - back] / S(2);
    };
    const auto all_full = [&](std::size_t n) {
      if (full_steps.size() < n) return false;
      for (std::size_t i = full_steps.size() - n; i < full_steps.size(); ++i) {
        if (!full_steps[i]) return false;
      }
      return true;
    };
    const bool stagnating =
        (all_full(3) && stalled(norms, 3) && (corrections.size() < 4 || stalled(corrections, 3))) ||
        (stalled(norms, 10) && stalled(corrections, 10));
    if (stagnating) {
      if (escalate()) continue;
      out.status = NewtonStatus::Stagnated;
      out.reason = fmt::format(
          "‖∇L‖ stopped decreasing at {} (three full steps, or ten damped ones, gained less than "
          "a factor 2 in ‖∇L‖ and in the Newton correction): no critical point within reach, or "
          "the precision floor of {} ({} bits)",
          text(gn),
          ScalarTraits<S>::name(),
          out.precision_bits);
      break;
    }
    NewtonRecord rec;
    rec.iteration = static_cast<int>(out.history.size());
    rec.gradient_norm = text(gn);
    // The pseudo-inverse preconditioner: from a double eigendecomposition, or from one in
    // float128 once double has stagnated (an ill-conditioned Hessian whose small eigenvalues are
    // below double's resolution but not zero). Then the step with its damping.
    bool accepted = false;
    Vec<S> trial, g_trial;
    S gn_trial, correction_trial;
    const auto step = [&]<class T>(std::type_identity<T>) {
      const LossFunction<T> ft(network, data);
      const PseudoInverse<T> pinv(ft.hessian(convert_vector<T>(theta)));
      rec.rank = static_cast<long>(pinv.d.size());
      rec.preconditioner = ScalarTraits<T>::name();
      // Solve H δ = −g to (about) ‖g‖² with refinement in S.
      const Vec<S> rhs = -g;
      Vec<S> delta = pinv.apply(rhs);
      S previous_residual = gn;
      const S inner_tol = gn * gn;
      int inner = 0;
      for (; inner < options.max_inner; ++inner) {
        const Vec<S> r = rhs - f.hessian_vector_product(theta, delta);
        const S rn = r.norm();
        if (rn <= inner_tol || rn > previous_residual / S(2)) break;
        previous_residual = rn;
        delta += pinv.apply(r);
      }
      rec.inner = inner;
      // Damping: the step t·δ is accepted when ‖∇L‖ falls, or when Deuflhard's restricted
      // natural monotonicity test holds, ‖H⁺∇L(θ + tδ)‖ <= (1 − t/4)·‖δ‖ (Newton Methods for
      // Nonlinear Problems, 2004, §3.3). The second test is affine covariant: in a curved valley
      // with a condition number of 1e9, ‖∇L‖ rises along every useful step while the natural
      // (Newton-correction) norm still falls.
      const S delta_norm = delta.norm();
      // The natural tests judge the step by a local linear model; they are trusted only for
      // steps shorter than a tenth of 1 + ‖θ‖ (a longer one must lower ‖∇L‖ itself), so that a
      // pseudo-inverse with tiny eigenvalues cannot send θ off along a flat direction.
      const S trust = (S(1) + theta.norm()) / S(10);
      S t(1);
      for (int b = 0; b < 30; ++b) {
        trial = theta + delta * t;
        g_trial = f.gradient(trial);
        gn_trial = g_trial.norm();
        correction_trial = pinv.apply(Vec<S>(-g_trial)).norm();
        const bool trusted = delta_norm * t <= trust;
        if (gn_trial < gn || (trusted && correction_trial <= (S(1) - t / S(4)) * delta_norm)) {
          accepted = true;
          break;
        }
        // The full step, once more with the Hessian at its end: when the small eigenvalues
        // move faster than the step (an ill-conditioned, strongly curved valley), only the
        // Newton correction at the new point sees that the step landed next to the solution.
        if (b == 0 && trusted) {
          const PseudoInverse<T> next(ft.hessian(convert_vector<T>(trial)));
          if (next.apply(Vec<S>(-g_trial)).norm() <= delta_norm / S(2)) {
            accepted = true;
            break;
          }
        }
        t /= 2;
      }
      last_step = delta_norm * t;
      if (!accepted) last_step = S(0);
      corrections.push_back(delta_norm);
      full_steps.push_back(accepted && t == S(1));
    };
#if LOCUS_HAS_FLOAT128
    if (level > 0) {
      step(std::type_identity<Float128>{});
    } else {
      step(std::type_identity<double>{});
    }
#else
    step(std::type_identity<double>{});
#endif
    rec.step_norm = text(last_step);
    out.history.push_back(rec);
    if (!accepted) {
      if (escalate()) continue;
      out.status = NewtonStatus::Stagnated;
      out.reason = fmt::format(
          "no step along the Newton direction lowers ‖∇L‖ = {} or the Newton correction: no "
          "critical point within reach, or the precision floor of {}",
          text(gn),
          ScalarTraits<S>::name());
      break;
    }
    theta = trial;
    g = g_trial;
    gn = gn_trial;
    norms.push_back(gn);
    steps.push_back(last_step);
    // Six accepted steps that do not shrink on average (the last three together at least half of
    // the three before, and none of them tiny: at least (1 + ‖θ₀‖)/1000 on average, so rounding
    // noise at a precision floor does not count) while ‖θ‖ grows: an iteration converging to a
    // finite point has summable, shrinking steps, so θ runs off along a flat region.
    if (steps.size() >= 6) {
      const std::size_t n = steps.size();
      const S recent = steps[n - 1] + steps[n - 2] + steps[n - 3];
      const S before = steps[n - 4] + steps[n - 5] + steps[n - 6];
      const bool runs_off = recent >= before / S(2) &&
                            recent + before >= S(6) * (S(1) + start_norm) / S(1000) &&
                            theta.norm() > start_norm + (S(1) + start_norm) / S(100);
      if (runs_off) {
        out.status = NewtonStatus::Stagnated;
        out.runs_off = true;
        out.reason = fmt::format(
            "the Newton steps did not shrink (the last {}) while ‖θ‖ grew from {} to {} and "
            "‖∇L‖ fell to {}: θ runs off along a flat region, no critical point within reach",
            text(last_step),
            text(start_norm),
            text(S(theta.norm())),
            text(gn));
        break;
      }
    }
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
