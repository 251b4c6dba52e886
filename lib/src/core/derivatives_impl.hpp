// Definitions of LossFunction<Scalar> (locus/core/derivatives.hpp). Included only by the explicit
// instantiation files lib/src/instantiate/derivatives_<scalar>.cpp.
#pragma once

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/population_impl.hpp"
#include "scalar/exp.hpp"
#include "scalar/gemm.hpp"
#include "scalar/thread_caches.hpp"

#include "locus/core/activation.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/core/frozen.hpp"
#include "locus/core/population.hpp"
#include "locus/scalar/concepts.hpp"

#include <fmt/format.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus {

namespace detail {

enum class ActivationStatus { Ok, Kink, Undecided, NotExact };

/// An activation with its constants in the arithmetic S, made once per layer and pass.
template <class S>
struct ActivationData {
  Activation act;
  std::vector<S> coefficients;  // polynomial
  S parameter;                  // softplus β, leaky ReLU slope a, ELU α (exact rational, rounded)
  // Constants of the transcendental kinds (left 0 without transcendentals).
  S sqrt_2_over_pi;  // √(2/π)
  S inv_sqrt_2pi;    // 1/√(2π)
  S inv_sqrt2;       // 1/√2
  S gelu_c;          // 0.044715 = 44715/10^6, PyTorch's constant
};

template <class S>
ActivationData<S> activation_data(const Activation& act) {
  using T = ScalarTraits<S>;
  ActivationData<S> a;
  a.act = act;
  for (const auto& r : act.coefficients) a.coefficients.push_back(T::from_rational(r));
  a.parameter = T::from_rational(act.parameter);
  a.sqrt_2_over_pi = S(0);
  a.inv_sqrt_2pi = S(0);
  a.inv_sqrt2 = S(0);
  a.gelu_c = T::from_ratio(44715, 1000000);
  if constexpr (T::has_transcendentals) {
    using std::atan, std::sqrt;
    const S pi = S(4) * atan(S(1));
    a.sqrt_2_over_pi = sqrt(S(2) / pi);
    a.inv_sqrt_2pi = S(1) / sqrt(S(2) * pi);
    a.inv_sqrt2 = S(1) / sqrt(S(2));
  }
  return a;
}

/// The side of a piecewise activation's kink that z lies on. Balls: only a ball certainly on one
/// side decides it; the exact ball {0} is the kink; any other ball meeting 0 is undecided.
enum class Side { Negative, Positive, Zero, Unknown };

template <class S>
Side side_of(const S& z) {
  if constexpr (ScalarTraits<S>::is_interval) {
    if (certainly_zero(z) == Certainty::True) return Side::Zero;
    if (certainly_positive(z) == Certainty::True) return Side::Positive;
    if (certainly_negative(z) == Certainty::True) return Side::Negative;
    return Side::Unknown;
  } else {
    if (z == S(0)) return Side::Zero;
    return S(0) < z ? Side::Positive : Side::Negative;
  }
}

/// log(1 + e^x) without cancellation: max(x, 0) + log1p(e^{−|x|}) where the arithmetic is ordered.
template <class S>
S softplus_value(const S& x) {
  using std::log1p;
  if constexpr (OrderedField<S>) {
    using std::abs;
    return (S(0) < x ? x : S(0)) + log1p(detail::exp_of(S(-abs(x))));
  } else {
    return log1p(detail::exp_of(x));
  }
}

/// σ and its derivatives up to `order` at z, into d[0..order].
template <class S>
ActivationStatus activation_eval(const ActivationData<S>& ad, const S& z, int order, S* d) {
  using T = ScalarTraits<S>;
  const ActivationKind kind = ad.act.kind;
  auto set = [&](const S& d0, const S& d1, const S& d2, const S& d3) {
    d[0] = d0;
    if (order >= 1) d[1] = d1;
    if (order >= 2) d[2] = d2;
    if (order >= 3) d[3] = d3;
    return ActivationStatus::Ok;
  };
  switch (kind) {
    case ActivationKind::Identity:
      return set(z, S(1), S(0), S(0));
    case ActivationKind::Polynomial: {
      // Taylor-shifted Horner: q_r is the r-th Taylor coefficient of p at z.
      S q0(0), q1(0), q2(0), q3(0);
      for (auto it = ad.coefficients.rbegin(); it != ad.coefficients.rend(); ++it) {
        if (order >= 3) q3 = q3 * z + q2;
        if (order >= 2) q2 = q2 * z + q1;
        if (order >= 1) q1 = q1 * z + q0;
        q0 = q0 * z + *it;
      }
      return set(q0, q1, S(2) * q2, S(6) * q3);
    }
    case ActivationKind::Relu:
    case ActivationKind::LeakyRelu:
    case ActivationKind::Elu: {
      const Side side = side_of(z);
      if (side == Side::Unknown) return ActivationStatus::Undecided;
      if (side == Side::Zero) {
        // ELU with α = 1 is C¹: σ and σ′ exist at 0, σ″ jumps from 1 to 0.
        if (kind == ActivationKind::Elu && ad.act.parameter == 1 && order <= 1) {
          return set(S(0), S(1), S(0), S(0));
        }
        return ActivationStatus::Kink;
      }
      if (side == Side::Positive) return set(z, S(1), S(0), S(0));
      if (kind == ActivationKind::Relu) return set(S(0), S(0), S(0), S(0));
      if (kind == ActivationKind::LeakyRelu) {
        return set(ad.parameter * z, ad.parameter, S(0), S(0));
      }
      if constexpr (!T::has_transcendentals) {
        return ActivationStatus::NotExact;
      } else {
        const S e = ad.parameter * detail::exp_of(z);
        return set(e - ad.parameter, e, e, e);
      }
    }
    default:
      break;
  }
  if constexpr (!T::has_transcendentals) {
    // Exact values exist only at z = 0: sigmoid 1/2, 1/4, 0, -1/8; tanh 0, 1, 0, -2; silu 0, 1/2,
    // 1/2, 0; gelu and gelu_tanh 0, 1/2 (σ″(0) = √(2/π) is irrational).
    if (!(z == S(0))) return ActivationStatus::NotExact;
    switch (kind) {
      case ActivationKind::Sigmoid:
        return set(T::from_ratio(1, 2), T::from_ratio(1, 4), S(0), T::from_ratio(-1, 8));
      case ActivationKind::Tanh:
        return set(S(0), S(1), S(0), S(-2));
      case ActivationKind::Silu:
        return set(S(0), T::from_ratio(1, 2), T::from_ratio(1, 2), S(0));
      case ActivationKind::Gelu:
      case ActivationKind::GeluTanh:
        if (order >= 2) return ActivationStatus::NotExact;
        return set(S(0), T::from_ratio(1, 2), S(0), S(0));
      default:
        return ActivationStatus::NotExact;
    }
  } else {
    using std::log, std::tanh, std::erf;
    switch (kind) {
      case ActivationKind::Tanh: {
        const S t = tanh(z);
        const S t1 = S(1) - t * t;
        return set(t, t1, S(-2) * t * t1, S(-2) * t1 * (t1 - S(2) * t * t));
      }
      case ActivationKind::Gelu: {
        // σ = zΦ, σ′ = Φ + zφ, σ″ = φ(2 − z²), σ‴ = zφ(z² − 4), φ′ = −zφ.
        const S big_phi = (S(1) + erf(z * ad.inv_sqrt2)) / S(2);
        const S phi = ad.inv_sqrt_2pi * detail::exp_of(S(-(z * z) / S(2)));
        const S z2 = z * z;
        return set(z * big_phi, big_phi + z * phi, phi * (S(2) - z2), z * phi * (z2 - S(4)));
      }
      case ActivationKind::GeluTanh: {
        // σ = z·G(u(z)), G(u) = (1 + tanh u)/2, u = k(z + c z³): Faà di Bruno for T = G∘u.
        const S k = ad.sqrt_2_over_pi;
        const S& c = ad.gelu_c;
        const S z2 = z * z;
        const S u = k * (z + c * z2 * z);
        const S u1 = k * (S(1) + S(3) * c * z2);
        const S u2 = S(6) * k * c * z;
        const S u3 = S(6) * k * c;
        const S t = tanh(u);
        const S sech2 = S(1) - t * t;
        const S g0 = (S(1) + t) / S(2);
        const S g1 = sech2 / S(2);
        const S g2 = -t * sech2;
        const S g3 = sech2 * (S(3) * t * t - S(1));
        const S t1 = g1 * u1;
        const S t2 = g2 * u1 * u1 + g1 * u2;
        const S t3 = g3 * u1 * u1 * u1 + S(3) * g2 * u1 * u2 + g1 * u3;
        return set(z * g0, g0 + z * t1, S(2) * t1 + z * t2, S(3) * t2 + z * t3);
      }
      case ActivationKind::Erf: {
        // σ = erf(z/√2), σ′ = √(2/π) e^{−z²/2}, σ″ = −zσ′, σ‴ = (z² − 1)σ′.
        const S p = ad.sqrt_2_over_pi * detail::exp_of(S(-(z * z) / S(2)));
        return set(erf(z * ad.inv_sqrt2), p, -z * p, (z * z - S(1)) * p);
      }
      default:
        break;
    }
    // sigmoid s, s' = s(1-s), s'' = s'(1-2s), s''' = s'(1 - 6s + 6s^2)
    if constexpr (T::kind == ScalarKind::Ball) {  // in place, without temporaries
      if (kind == ActivationKind::Sigmoid) {
        detail::sigmoid_ball(d, z, order);
        return ActivationStatus::Ok;
      }
    }
    const bool softplus = kind == ActivationKind::Softplus;
    const S bz = softplus ? S(ad.parameter * z) : z;
    const S s = S(1) / (S(1) + detail::exp_of(S(-bz)));
    const S s1 = s * (S(1) - s);
    const S s2 = order >= 2 ? S(s1 * (S(1) - S(2) * s)) : S(0);  // not computed when not asked
    const S s3 = order >= 3 ? S(s1 * (S(1) - S(6) * s + S(6) * s * s)) : S(0);
    if (kind == ActivationKind::Sigmoid) return set(s, s1, s2, s3);
    if (kind == ActivationKind::Silu) {
      return set(z * s, s + z * s1, S(2) * s1 + z * s2, S(3) * s2 + z * s3);
    }
    // softplus log(1 + e^{βz})/β (softplus_value); σ′ = s(βz), σ″ = β s′, σ‴ = β² s″
    const S value = softplus_value(bz);
    if (ad.act.parameter == 1) return set(value, s, s1, s2);
    return set(value / ad.parameter, s, ad.parameter * s1, ad.parameter * ad.parameter * s2);
  }
}

/// Forward pass over all samples at once.
template <class S>
struct Forward {
  std::vector<Mat<S>> w;           // [1..L]  W̃_l: n_l x (n_{l-1} + β)
  std::vector<Mat<S>> at;          // [0..L-1] augmented activations: N x (n_l + β)
  std::vector<Mat<S>> z;           // [1..L]  pre-activations: N x n_l (z[L] = f)
  std::vector<Mat<S>> d1, d2, d3;  // [1..L-1] σ', σ'', σ''' at z
};

template <class S>
std::string describe_value(const S& x) {
  std::string s = ScalarTraits<S>::to_string(x);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

template <class S>
Mat<S> layer_matrix(const Network& net, const Vec<S>& theta, int l) {
  Mat<S> w(net.width(l), net.input_columns(l));
  for (int j = 0; j < net.width(l); ++j) {
    for (int k = 0; k < net.input_columns(l); ++k) w(j, k) = theta(net.augmented_index(l, j, k));
  }
  return w;
}

/// The problem with the activation at one pre-activation, as the exception to throw.
template <class S>
[[noreturn]] void throw_activation_failure(
    ActivationStatus st, const Activation& act, const S& z, const std::string& where, int order);

template <class S>
void scatter_layer(const Network& net, const Mat<S>& g, int l, Vec<S>& out) {
  for (Eigen::Index j = 0; j < g.rows(); ++j) {
    for (Eigen::Index k = 0; k < g.cols(); ++k) {
      out(net.augmented_index(l, static_cast<int>(j), static_cast<int>(k))) = g(j, k);
    }
  }
}

template <class S>
Mat<S> augment(const Mat<S>& a, bool bias, const S& fill) {
  if (!bias) return a;
  Mat<S> out(a.rows(), a.cols() + 1);
  out.leftCols(a.cols()) = a;
  out.col(a.cols()).setConstant(fill);
  return out;
}

template <class S>
Forward<S> forward(const Network& net, const Mat<S>& x, const Vec<S>& theta, int order) {
  const int L = net.num_layers();
  const Eigen::Index n = x.rows();
  Forward<S> f;
  f.w.resize(static_cast<std::size_t>(L + 1));
  f.at.resize(static_cast<std::size_t>(L));
  f.z.resize(static_cast<std::size_t>(L + 1));
  f.d1.resize(static_cast<std::size_t>(L));
  f.d2.resize(static_cast<std::size_t>(L));
  f.d3.resize(static_cast<std::size_t>(L));
  f.at[0] = augment<S>(x, net.has_bias(1), S(1));
  // Multiprecision activations (a 256-bit exponential is ~2 µs) run on every thread, each at the
  // caller's ball precision (thread-local); failures are reported for the first entry in (unit,
  // sample) order, as a serial loop would.
  constexpr bool costly = ScalarTraits<S>::is_multiprecision;
  const int ball_bits = ball_precision();
  for (int l = 1; l <= L; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    f.w[ul] = layer_matrix<S>(net, theta, l);
    if constexpr (kInPlaceGemm<S>) {
      const Mat<S> wt = f.w[ul].transpose();
      f.z[ul].resize(n, wt.cols());
      gemm<S>(f.z[ul], f.at[ul - 1], false, wt);
    } else {
      f.z[ul] = f.at[ul - 1] * f.w[ul].transpose();
    }
    if (l == L) break;
    const int nl = net.width(l);
    const ActivationData<S> ad = activation_data<S>(net.activation_at(l));
    // σ(z_l) written straight into ã_l, its bias column (when layer l + 1 has one) set after
    const bool bias_next = net.has_bias(l + 1);
    Mat<S> a(n, nl + (bias_next ? 1 : 0));
    if (order >= 1) f.d1[ul].resize(n, nl);
    if (order >= 2) f.d2[ul].resize(n, nl);
    if (order >= 3) f.d3[ul].resize(n, nl);
    const Eigen::Index count = n * nl;
    // entry e = (sample e % n, unit e / n); d is the caller's scratch
    const auto eval = [&](Eigen::Index e, S* d) {
      const Eigen::Index j = e / n, i = e % n;
      const ActivationStatus st = activation_eval<S>(ad, f.z[ul](i, j), order, d);
      if (st == ActivationStatus::Ok) {  // d is scratch: its numbers move (a ball's limbs)
        a(i, j) = std::move(d[0]);
        if (order >= 1) f.d1[ul](i, j) = std::move(d[1]);
        if (order >= 2) f.d2[ul](i, j) = std::move(d[2]);
        if (order >= 3) f.d3[ul](i, j) = std::move(d[3]);
      }
      return st;
    };
    const auto fail = [&](Eigen::Index e, ActivationStatus st) {
      const Eigen::Index j = e / n, i = e % n;
      throw_activation_failure<S>(
          st,
          ad.act,
          f.z[ul](i, j),
          fmt::format(
              "layer {}, unit {}, sample {}", l, static_cast<long>(j), static_cast<long>(i)),
          order);
    };
    if constexpr (costly) {
      std::vector<ActivationStatus> status(static_cast<std::size_t>(count), ActivationStatus::Ok);
      std::exception_ptr error;
      std::atomic<bool> failed{false};
#ifdef _OPENMP
#pragma omp parallel if (count >= 64)
#endif
      {
        ScopedBallPrecision precision(ball_bits);
        S d[4] = {S(0), S(0), S(0), S(0)};
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
        for (Eigen::Index e = 0; e < count; ++e) {
          if (failed.load(std::memory_order_relaxed)) continue;
          try {
            status[static_cast<std::size_t>(e)] = eval(e, d);
          } catch (...) {
#ifdef _OPENMP
#pragma omp critical(locus_forward_error)
#endif
            if (!error) error = std::current_exception();
            failed.store(true, std::memory_order_relaxed);
          }
        }
#ifdef _OPENMP
        if (omp_get_thread_num() != 0) release_thread_caches();
#endif
      }
      if (error) std::rethrow_exception(error);
      for (Eigen::Index e = 0; e < count; ++e) {
        const ActivationStatus st = status[static_cast<std::size_t>(e)];
        if (st != ActivationStatus::Ok) fail(e, st);
      }
    } else {
      static_cast<void>(ball_bits);
      S d[4] = {S(0), S(0), S(0), S(0)};
      for (Eigen::Index e = 0; e < count; ++e) {
        const ActivationStatus st = eval(e, d);
        if (st != ActivationStatus::Ok) fail(e, st);
      }
    }
    if (bias_next) a.col(nl).setConstant(S(1));
    f.at[ul] = std::move(a);
  }
  return f;
}

template <class S>
void throw_activation_failure(
    ActivationStatus st, const Activation& act, const S& z, const std::string& where, int order) {
  if (st == ActivationStatus::Kink) {
    if (act.kind == ActivationKind::Elu && act.parameter == 1) {
      throw NotDifferentiable(fmt::format(
          "elu pre-activation z = 0 exactly at {}: σ″ jumps from 1 to 0 there, so the loss is not "
          "twice differentiable (derivative order {} asked)",
          where,
          order));
    }
    throw NotDifferentiable(
        fmt::format("{} pre-activation z = 0 exactly at {}: the loss is not differentiable there",
                    act.name(),
                    where));
  }
  if (st == ActivationStatus::Undecided) {
    throw NotDifferentiable(fmt::format(
        "{} pre-activation z = {} at {} contains 0 in {}: cannot decide the side of the kink "
        "(increase the precision)",
        act.name(),
        describe_value(z),
        where,
        ScalarTraits<S>::name()));
  }
  throw UnsupportedScalar(fmt::format(
      "{}(z) at z = {} ({}) has no exact value in the arithmetic {} (over Q: identity, relu, "
      "leaky_relu and polynomials everywhere, elu for z > 0, sigmoid, tanh and silu at z = 0, "
      "gelu at z = 0 without second derivatives); use mpfr:BITS or ball:BITS",
      act.name(),
      describe_value(z),
      where,
      ScalarTraits<S>::name()));
}

/// Per-sample loss terms: the loss (sum), e = ∇_f ℓ, and the softmax p (cross-entropy).
template <class S>
struct OutputTerms {
  S loss;
  Mat<S> e;
  Mat<S> p;
};

template <class S>
OutputTerms<S> output_terms(const Network& net, const Mat<S>& f, const Mat<S>& y) {
  OutputTerms<S> out;
  out.loss = S(0);
  if (net.loss == LossKind::Squared) {
    out.e = f - y;
    for (Eigen::Index i = 0; i < out.e.rows(); ++i) out.loss += out.e.row(i).squaredNorm();
    out.loss = out.loss / S(2);
    return out;
  }
  if constexpr (!ScalarTraits<S>::has_transcendentals) {
    throw UnsupportedScalar(fmt::format(
        "{} needs exp and log, which the arithmetic {} does not have; use mpfr:BITS or ball:BITS",
        to_string(net.loss),
        ScalarTraits<S>::name()));
  } else {
    using std::log;
    if (net.loss == LossKind::BinaryCrossEntropy) {
      // ℓ = Σ_c log(1 + e^{f_c}) − y_c f_c, e = s − y, Λ = diag(s(1 − s)), s = sigmoid(f); p = s.
      // Evaluated as y·log(1 + e^{−f}) + (1 − y)·log(1 + e^{f}): two nonnegative terms, so a
      // well-fitted sample (y = 1, f ≫ 0) keeps its relative accuracy.
      out.p.resize(f.rows(), f.cols());
      out.e.resize(f.rows(), f.cols());
      for (Eigen::Index i = 0; i < f.rows(); ++i) {
        for (Eigen::Index c = 0; c < f.cols(); ++c) {
          const S& x = f(i, c);
          const S& t = y(i, c);
          if (t == S(0)) {
            out.loss += softplus_value(x);
          } else if (t == S(1)) {
            out.loss += softplus_value(S(-x));
          } else {
            out.loss += t * softplus_value(S(-x)) + (S(1) - t) * softplus_value(x);
          }
          out.p(i, c) = S(1) / (S(1) + detail::exp_of(S(-x)));
          out.e(i, c) = out.p(i, c) - y(i, c);
        }
      }
      return out;
    }
    out.p.resize(f.rows(), f.cols());
    for (Eigen::Index i = 0; i < f.rows(); ++i) {
      S shift = f(i, 0);
      if constexpr (OrderedField<S>) {
        for (Eigen::Index c = 1; c < f.cols(); ++c) {
          if (shift < f(i, c)) shift = f(i, c);
        }
      }
      S sum(0);
      for (Eigen::Index c = 0; c < f.cols(); ++c) {
        out.p(i, c) = detail::exp_of(S(f(i, c) - shift));
        sum += out.p(i, c);
      }
      for (Eigen::Index c = 0; c < f.cols(); ++c) out.p(i, c) = out.p(i, c) / sum;
      const S lse = shift + log(sum);
      // −Σ y_c log p_c = lse Σ y_c − y·f   (Σ y_c = 1 for validated targets, kept general)
      S ysum(0), yf(0);
      for (Eigen::Index c = 0; c < f.cols(); ++c) {
        ysum += y(i, c);
        yf += y(i, c) * f(i, c);
      }
      out.loss += lse * ysum - yf;
    }
    // the gradient of lse·Σy − y·f is Σy·p − y; with Σy = 1 it is p − y
    out.e.resize(f.rows(), f.cols());
    for (Eigen::Index i = 0; i < f.rows(); ++i) {
      S ysum(0);
      for (Eigen::Index c = 0; c < f.cols(); ++c) ysum += y(i, c);
      for (Eigen::Index c = 0; c < f.cols(); ++c) out.e(i, c) = ysum * out.p(i, c) - y(i, c);
    }
    return out;
  }
}

/// Λ_i v for every sample (rows of v): squared Λ = I; cross-entropy Λ = diag(p) − p pᵀ (scaled by
/// Σ_c y_c, which is 1 for valid targets); binary cross-entropy Λ = diag(s(1 − s)).
template <class S>
Mat<S> apply_lambda(const Network& net, const OutputTerms<S>& t, const Mat<S>& y, const Mat<S>& v) {
  if (net.loss == LossKind::Squared) return v;
  if (net.loss == LossKind::BinaryCrossEntropy) {
    Mat<S> out(v.rows(), v.cols());
    for (Eigen::Index i = 0; i < v.rows(); ++i) {
      for (Eigen::Index c = 0; c < v.cols(); ++c) {
        out(i, c) = t.p(i, c) * (S(1) - t.p(i, c)) * v(i, c);
      }
    }
    return out;
  }
  Mat<S> out(v.rows(), v.cols());
  for (Eigen::Index i = 0; i < v.rows(); ++i) {
    S ysum(0), pv(0);
    for (Eigen::Index c = 0; c < v.cols(); ++c) {
      ysum += y(i, c);
      pv += t.p(i, c) * v(i, c);
    }
    for (Eigen::Index c = 0; c < v.cols(); ++c) out(i, c) = ysum * t.p(i, c) * (v(i, c) - pv);
  }
  return out;
}

template <class S>
void check_length(const Network& net, const Vec<S>& v, const char* what) {
  if (v.size() != net.num_parameters()) {
    throw InvalidArgument(fmt::format("{} has {} entries; expected P = {} for {}",
                                      what,
                                      v.size(),
                                      net.num_parameters(),
                                      net.describe()));
  }
}

/// a ⊙ b (same shapes) as a new matrix. Multiprecision scalars: one rounded product per entry
/// written in place (Eigen's cwiseProduct makes and copies a temporary number per entry), on every
/// thread for large matrices, each at the caller's ball precision (which is thread-local).
template <class S>
Mat<S> hadamard(const Mat<S>& a, const Mat<S>& b) {
  if constexpr (!ScalarTraits<S>::is_multiprecision) {
    return a.cwiseProduct(b);
  } else {
    Mat<S> out(a.rows(), a.cols());
    const int bits = ball_precision();
    const Eigen::Index rows = a.rows(), cols = a.cols();
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (rows * cols >= 1024 && !omp_in_parallel())
#endif
    for (Eigen::Index j = 0; j < cols; ++j) {
      ScopedBallPrecision precision(bits);
      for (Eigen::Index i = 0; i < rows; ++i) multiply_into(out(i, j), a(i, j), b(i, j));
    }
    return out;
  }
}

/// Backpropagation: delta[l] = Δ_l = ∂ℓ/∂z_l for l = 1..L, and back[l] = Δ_{l+1} W_{l+1} (the
/// rows W_{l+1}ᵀ δ_{l+1}) for l = 1..L-1, which the second-order passes need again (rows: samples).
template <class S>
struct Backprop {
  std::vector<Mat<S>> delta;
  std::vector<Mat<S>> back;
};

template <class S>
Backprop<S> backprop(const Network& net, const Forward<S>& f, const Mat<S>& e) {
  const int L = net.num_layers();
  Backprop<S> b;
  b.delta.resize(static_cast<std::size_t>(L + 1));
  b.back.resize(static_cast<std::size_t>(L));
  b.delta[static_cast<std::size_t>(L)] = e;
  for (int l = L - 1; l >= 1; --l) {
    const auto ul = static_cast<std::size_t>(l);
    if constexpr (kInPlaceGemm<S>) {
      const Mat<S> w = f.w[ul + 1].leftCols(net.width(l));
      b.back[ul].resize(b.delta[ul + 1].rows(), w.cols());
      gemm<S>(b.back[ul], b.delta[ul + 1], false, w);
    } else {
      b.back[ul] = b.delta[ul + 1] * f.w[ul + 1].leftCols(net.width(l));
    }
    b.delta[ul] = hadamard<S>(f.d1[ul], b.back[ul]);
  }
  return b;
}

template <class S>
S mean_factor(const Network& net, Eigen::Index n) {
  const S c = net.loss_scale == 1 ? S(1) : ScalarTraits<S>::from_rational(net.loss_scale);
  return net.reduction == Reduction::Mean ? c / S(static_cast<long>(n)) : c;
}

/// The L2 term c·Σθ_k² over the network's scope, its gradient 2cθ_k and its Hessian 2c·I (on the
/// scope), all exact in exact arithmetic.
template <class S>
S l2_value(const Network& net, const Vec<S>& theta) {
  S sum(0);
  for (Eigen::Index k = 0; k < theta.size(); ++k) {
    if (net.in_l2_scope(k)) sum += theta(k) * theta(k);
  }
  return ScalarTraits<S>::from_rational(net.l2) * sum;
}

/// out += 2c·v on the L2 scope.
template <class S>
void add_l2_product(const Network& net, const Vec<S>& v, Vec<S>& out) {
  const S two_c = ScalarTraits<S>::from_rational(net.l2 * Rational(2));
  for (Eigen::Index k = 0; k < v.size(); ++k) {
    if (net.in_l2_scope(k)) out(k) += two_c * v(k);
  }
}

}  // namespace detail

template <class Scalar>
LossFunction<Scalar>::LossFunction(Network network, const Dataset& data)
    : given_(std::move(network)) {
  given_.validate();
  network_ = given_.layout();
  if (!given_.frozen.empty()) {
    for (const std::ptrdiff_t k : given_.free_indices()) free_.push_back(k);
  }
  if (data.population) {
    const Network& n = network_;
    if (const std::string wrong = population_form_error(n); !wrong.empty()) {
      throw InvalidArgument(wrong);
    }
    if (data.inputs.size() != 0 || data.targets.size() != 0) {
      throw InvalidArgument("a population has no inputs or targets: give one or the other");
    }
    if constexpr (!ScalarTraits<Scalar>::has_transcendentals) {
      throw UnsupportedScalar(fmt::format(
          "a population loss needs arcsin, arccos and square roots, which {} does not have "
          "exactly: use ball:BITS (proofs), mpfr:BITS or double",
          ScalarTraits<Scalar>::name()));
    } else {
      const Dataset::Population& pop = *data.population;
      Network teacher = n;
      if (pop.teacher_width < 1) {
        throw InvalidArgument(
            fmt::format("population: teacher width {}, expected at least 1", pop.teacher_width));
      }
      teacher.widths[1] = pop.teacher_width;
      if (pop.teacher.size() != teacher.num_parameters()) {
        throw InvalidArgument(
            fmt::format("population: the teacher point has {} entries; expected {} for {}",
                        pop.teacher.size(),
                        teacher.num_parameters(),
                        teacher.describe()));
      }
      teacher_network_ = teacher;
      teacher_ = convert_matrix<Scalar>(Mat<Rational>(pop.teacher));
      x_ = Mat<Scalar>(0, n.width(0));
      y_ = Mat<Scalar>(0, 1);
      return;
    }
  }
  if (data.inputs.cols() != network_.width(0) ||
      data.targets.cols() != network_.width(network_.num_layers()) ||
      data.inputs.rows() != data.targets.rows() || data.inputs.rows() < 1) {
    throw InvalidArgument(
        fmt::format("data of shape inputs {}x{}, targets {}x{} does not fit the network {}",
                    data.inputs.rows(),
                    data.inputs.cols(),
                    data.targets.rows(),
                    data.targets.cols(),
                    network_.describe()));
  }
  x_ = convert_matrix<Scalar>(data.inputs);
  y_ = convert_matrix<Scalar>(data.targets);
}

template <class Scalar>
void LossFunction<Scalar>::per_sample(const char* what) const {
  if (teacher_network_) {
    throw InvalidArgument(fmt::format(
        "{} is a per-sample quantity; a population loss (Gaussian inputs) has no samples", what));
  }
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::outputs_all(const Vec<Scalar>& theta) const {
  per_sample("the network outputs");
  detail::check_length(network_, theta, "theta");
  auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  return f.z[static_cast<std::size_t>(network_.num_layers())];
}

template <class Scalar>
Scalar LossFunction<Scalar>::loss_all(const Vec<Scalar>& theta) const {
  detail::check_length(network_, theta, "theta");
  if constexpr (ScalarTraits<Scalar>::has_transcendentals) {
    if (teacher_network_) {
      Scalar value = detail::population_derivatives<Scalar>(
          network_, *teacher_network_, theta, teacher_, nullptr, nullptr);
      if (network_.l2 != 0) value += detail::l2_value<Scalar>(network_, theta);
      return value;
    }
  }
  const auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  const auto t = detail::output_terms<Scalar>(
      network_, f.z[static_cast<std::size_t>(network_.num_layers())], y_);
  Scalar value = t.loss * detail::mean_factor<Scalar>(network_, x_.rows());
  if (network_.l2 != 0) value += detail::l2_value<Scalar>(network_, theta);
  return value;
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::residuals_all(const Vec<Scalar>& theta) const {
  per_sample("the residuals");
  detail::check_length(network_, theta, "theta");
  const auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  return detail::output_terms<Scalar>(
             network_, f.z[static_cast<std::size_t>(network_.num_layers())], y_)
      .e;
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::gradient_all(const Vec<Scalar>& theta, Scalar* loss) const {
  detail::check_length(network_, theta, "theta");
  if constexpr (ScalarTraits<Scalar>::has_transcendentals) {
    if (teacher_network_) {
      Vec<Scalar> g;
      Scalar value = detail::population_derivatives<Scalar>(
          network_, *teacher_network_, theta, teacher_, &g, nullptr);
      if (network_.l2 != 0) {
        value += detail::l2_value<Scalar>(network_, theta);
        detail::add_l2_product<Scalar>(network_, theta, g);
      }
      if (loss != nullptr) *loss = value;
      return g;
    }
  }
  const int L = network_.num_layers();
  const auto f = detail::forward<Scalar>(network_, x_, theta, 1);
  const auto t = detail::output_terms<Scalar>(network_, f.z[static_cast<std::size_t>(L)], y_);
  const auto bp = detail::backprop<Scalar>(network_, f, t.e);
  const auto& delta = bp.delta;
  const Scalar scale = detail::mean_factor<Scalar>(network_, x_.rows());
  Vec<Scalar> g(network_.num_parameters());
  for (int l = 1; l <= L; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    const Mat<Scalar> gl = delta[ul].transpose() * f.at[ul - 1];
    detail::scatter_layer<Scalar>(network_, gl, l, g);
  }
  if (loss != nullptr) {
    *loss = t.loss * scale;
    if (network_.l2 != 0) *loss += detail::l2_value<Scalar>(network_, theta);
  }
  g *= scale;
  if (network_.l2 != 0) detail::add_l2_product<Scalar>(network_, theta, g);
  return g;
}

template <class Scalar>
LayerTerms<Scalar> LossFunction<Scalar>::layer_terms_all(const Vec<Scalar>& theta, int l) const {
  per_sample("a layer's per-sample terms");
  detail::check_length(network_, theta, "theta");
  const int L = network_.num_layers();
  if (l < 1 || l > L - 1) {
    throw InvalidArgument(
        fmt::format("layer_terms: layer {} is not a hidden layer (expected 1 to {})", l, L - 1));
  }
  const auto f = detail::forward<Scalar>(network_, x_, theta, 2);
  const auto t = detail::output_terms<Scalar>(network_, f.z[static_cast<std::size_t>(L)], y_);
  const auto bp = detail::backprop<Scalar>(network_, f, t.e);
  const auto ul = static_cast<std::size_t>(l);
  LayerTerms<Scalar> out;
  out.a_prev = f.at[ul - 1];
  out.z = f.z[ul];
  out.d1 = f.d1[ul];
  out.d2 = f.d2[ul];
  out.delta_next = bp.delta[ul + 1] * detail::mean_factor<Scalar>(network_, x_.rows());
  return out;
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::hessian_vector_product_all(const Vec<Scalar>& theta,
                                                             const Vec<Scalar>& v,
                                                             HessianPart part) const {
  using S = Scalar;
  detail::check_length(network_, theta, "theta");
  detail::check_length(network_, v, "v");
  if (teacher_network_) return hessian_all(theta, part) * v;  // P is small: the Hessian itself
  const bool with_g = part != HessianPart::Residual;
  const bool with_h = part != HessianPart::GaussNewton;
  const int L = network_.num_layers();
  const Eigen::Index n = x_.rows();
  const auto f = detail::forward<S>(network_, x_, theta, 2);
  const auto t = detail::output_terms<S>(network_, f.z[static_cast<std::size_t>(L)], y_);
  const auto bp = detail::backprop<S>(network_, f, t.e);
  const auto& delta = bp.delta;
  std::vector<Mat<S>> vw(static_cast<std::size_t>(L + 1));
  for (int l = 1; l <= L; ++l)
    vw[static_cast<std::size_t>(l)] = detail::layer_matrix<S>(network_, v, l);
  // forward R-pass: rz_l = Ã_{l-1} Ṽ_lᵀ + ra_{l-1} W_lᵀ,  ra_l = σ'(z_l) ⊙ rz_l
  std::vector<Mat<S>> rz(static_cast<std::size_t>(L + 1)), ra(static_cast<std::size_t>(L));
  ra[0] = Mat<S>::Zero(n, network_.width(0));
  for (int l = 1; l <= L; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    rz[ul] = f.at[ul - 1] * vw[ul].transpose();
    if (l > 1) rz[ul] += ra[ul - 1] * f.w[ul].leftCols(network_.width(l - 1)).transpose();
    if (l < L) ra[ul] = f.d1[ul].cwiseProduct(rz[ul]);
  }
  // backward R-pass
  std::vector<Mat<S>> rd(static_cast<std::size_t>(L + 1));
  const auto uL = static_cast<std::size_t>(L);
  rd[uL] = with_g ? detail::apply_lambda<S>(network_, t, y_, rz[uL])
                  : Mat<S>(Mat<S>::Zero(n, network_.width(L)));
  for (int l = L - 1; l >= 1; --l) {
    const auto ul = static_cast<std::size_t>(l);
    const int nl = network_.width(l);
    Mat<S> back = rd[ul + 1] * f.w[ul + 1].leftCols(nl);
    rd[ul] = f.d1[ul].cwiseProduct(back);
    if (with_h) {
      const Mat<S>& wd = bp.back[ul];
      const Mat<S> vd = delta[ul + 1] * vw[ul + 1].leftCols(nl);
      rd[ul] += f.d2[ul].cwiseProduct(rz[ul]).cwiseProduct(wd) + f.d1[ul].cwiseProduct(vd);
    }
  }
  Vec<S> out(network_.num_parameters());
  for (int l = 1; l <= L; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    Mat<S> gl = rd[ul].transpose() * f.at[ul - 1];
    if (with_h && l > 1) {
      gl.leftCols(network_.width(l - 1)) += delta[ul].transpose() * ra[ul - 1];
    }
    detail::scatter_layer<S>(network_, gl, l, out);
  }
  out *= detail::mean_factor<S>(network_, n);
  if (with_g && network_.l2 != 0) detail::add_l2_product<S>(network_, v, out);
  return out;
}

namespace detail {
// Whether the block (m, m - 1)'s first term Σ_i C_i[p, j] ã_{m-1,i}[q] ã_{m-2,i}[k] should take
// C_i = K_{m,i} W_m D1_{m-1,i} as a factor of its CRT product (crt_gemm_entries_hadamard with
// n_m groups) instead of forming C (the product K W, a scaling, and C converted again). Per entry
// of C, forming it costs about the time of 3000 GEMM terms (as for a Khatri-Rao factor); the
// factor costs its wider integers: about prec + ⌈log2 n_m⌉ more bits in the block's product (the
// panel is formed: ncols GEMM terms per extra prime) and 2(prec + 8) more in the n_m-term products
// K W than in forming them, taking the weights and inputs as doubles (64 bits each). A prime
// carries about 27.5 - log2(depth)/2 bits (at most 26).
template <class S>
bool fuse_c_product(Eigen::Index ncols, Eigen::Index depth, Eigen::Index nm) {
  const double prec = ScalarTraits<S>::digits();
  const double bits =
      std::min(26.0, 27.5 - 0.5 * std::log2(static_cast<double>(std::max<Eigen::Index>(depth, 1))));
  const double extra = (prec + 8 + std::ceil(std::log2(static_cast<double>(nm)))) / bits;
  const double extra_kw = 2 * (prec + 8) / bits;
  return extra * static_cast<double>(ncols) + extra_kw * static_cast<double>(nm) < 3000;
}

// K_{m,i} = D1_{m,i} (G_iᵀ K_{L,i} G_i + W_{m+1}ᵀ diag(e_i) W_{m+1}) D1_{m,i} without its diagonal
// term, for hessian_all_into's unrolled level m = L - 2: g holds the G_i (n_L x n_m) stacked as
// rows (nullptr without the Gauss–Newton part), identity_kl says K_{L,i} = I, kl holds the K_{L,i}
// as columns, ep row i the second term's entries (a, b), b <= a, in the order b, then a (nullptr
// without the residual part; row i is used up: its numbers move into K_{m,i}). The lower triangle
// is computed; the upper one is its copy when upper is set.
template <class S>
void unrolled_curvature(Eigen::Map<Mat<S>>& k,
                        Eigen::Index i,
                        Eigen::Index nl,
                        const Mat<S>* g,
                        bool identity_kl,
                        const Mat<S>& kl,
                        Mat<S>* ep,
                        const Mat<S>& d1,
                        bool upper) {
  const Eigen::Index nm = k.rows();
  Mat<S> kg;  // K_{L,i} G_i
  if (g == nullptr) {
    nl = 0;
  } else {
    if (!identity_kl) {
      kg.resize(nl, nm);
      const Eigen::Map<const Mat<S>> kli(kl.col(i).data(), nl, nl);
      gemm<S>(kg, kli, false, g->middleRows(i * nl, nl));
    }
  }
  S tmp(0);
  Eigen::Index col = 0;
  for (Eigen::Index b = 0; b < nm; ++b) {
    for (Eigen::Index a = b; a < nm; ++a, ++col) {
      S& v = k(a, b);
      const S* init = ep != nullptr ? &(*ep)(i, col) : nullptr;
      if (nl == 0) {
        if (init != nullptr) {  // no conditional expression: it would copy into a temporary first
          v = std::move((*ep)(i, col));  // a ball's limbs move instead of being copied
        } else {
          v = 0;
        }
      } else {  // the rows i n_L.. of g's columns, and kg's columns, are contiguous
        dot_into(v, init, &(*g)(i * nl, a), identity_kl ? &(*g)(i * nl, b) : &kg(0, b), nl, tmp);
      }
      v *= d1(i, a);
      v *= d1(i, b);
      if (upper && a != b) k(b, a) = v;
    }
  }
}

// For every sample i, column i of out holds the rows x d.cols() matrix M_i diag(d(i, :)),
// column-major, with M_i(a, q) = entry(i, a, q): T_{m,m-1} = W_m D1_{m-1} and
// C_{m,m-1} = (K_m W_m) D1_{m-1}. In parallel over the samples, each thread at the caller's
// ball precision (which is thread-local).
template <class S, class Entry>
void scale_columns_per_sample(
    Mat<S>& out, Eigen::Index rows, const Mat<S>& d, int ball_bits, const Entry& entry) {
  const Eigen::Index cols = d.cols();
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
  for (Eigen::Index i = 0; i < out.cols(); ++i) {
    ScopedBallPrecision precision(ball_bits);
    Eigen::Map<Mat<S>> o(out.col(i).data(), rows, cols);
    for (Eigen::Index q = 0; q < cols; ++q) {
      const S& dq = d(i, q);
      for (Eigen::Index a = 0; a < rows; ++a) {
        multiply_into(o(a, q), entry(i, a, q), dq);
      }
    }
  }
}

// A Khatri-Rao panel over the samples: column col of out is column a of x times column b of y,
// entry by entry, with (a, b) = pair(col). In parallel over the columns when parallel is set and
// no parallel region is active, each thread at the caller's ball precision (which is
// thread-local).
template <class S, class Out, class Pair>
void khatri_rao_panel(
    Out& out, const Mat<S>& x, const Mat<S>& y, const Pair& pair, int ball_bits, bool parallel) {
  const Eigen::Index n = out.rows();
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (parallel && !omp_in_parallel())
#endif
  for (Eigen::Index col = 0; col < out.cols(); ++col) {
    ScopedBallPrecision precision(ball_bits);
    const auto [a, b] = pair(col);
    for (Eigen::Index i = 0; i < n; ++i) multiply_into(out(i, col), x(i, a), y(i, b));
  }
  static_cast<void>(parallel);
}

// The first term of the block (1, 1), Σ_i K_{1,i}[p, j] A_i[q, k] with A_i[q, k] = ã_{0,i}[q] ã_{0,i}[k]
// at the columns `pairs` (q, k), computed from the factors of K_1 without forming it
// (hessian_all_into's fold_k1: the unrolled level is the first layer and K_L = I). There
//   K_{1,i} = X_iᵀ X_i + D_i (W_2ᵀ diag(e_i) W_2) D_i + diag(h_i),
// X_i = G_i D_i (n_L x n_1: the rows i n_L.. of x; nullptr without the Gauss–Newton part), D_i =
// diag(d1 row i), e (N x n_2) and h (N x n_1) nullptr without the residual part, w = W_2 (n_2 x
// n_1). Summed over the samples first, each part is one product with A:
//   Σ_i (X_iᵀ X_i)[p, j] A_i = Σ_{i,c} A_i X[(i, c), p] X[(i, c), j]   (right factor X ⊙ X)
//   Σ_i (D_i W_2ᵀ diag(e_i) W_2 D_i)[p, j] A_i = Σ_i A_i (E V)[i, (p, j)] d_i[p] d_i[j],
//       V[c, (p, j)] = W_2[c, p] W_2[c, j]                           (right factor (E V) ⊙ d ⊙ d)
//   Σ_i h_i[p] A_i                                                    (the diagonal, hᵀ A)
// where the CRT takes the right factors without forming them (crt_gemm_entries_khatri_rao,
// crt_gemm_entries_hadamard): no multiprecision operation per entry of any K_{1,i}. Rows (p, j),
// j <= p, in the order p, then j; columns the pairs (q, k).
template <class S>
Mat<S> folded_first_term(const Mat<S>& a0,
                         const std::vector<std::pair<Eigen::Index, Eigen::Index>>& pairs,
                         const Mat<S>* x,
                         const Mat<S>* e,
                         const Mat<S>& w,
                         const Mat<S>& d1,
                         const Mat<S>* h,
                         int ball_bits) {
  const Eigen::Index n = a0.rows(), n1 = d1.cols();
  const auto ncols = static_cast<Eigen::Index>(pairs.size());
  std::vector<std::pair<Eigen::Index, Eigen::Index>> pj;  // the rows (p, j)
  for (Eigen::Index p = 0; p < n1; ++p) {
    for (Eigen::Index j = 0; j <= p; ++j) pj.emplace_back(p, j);
  }
  const auto npj = static_cast<Eigen::Index>(pj.size());
  const auto pj_of = [&pj](Eigen::Index col) { return pj[static_cast<std::size_t>(col)]; };
  Mat<S> amat(n, ncols);  // column (q, k): ã_0[q] ã_0[k]
  khatri_rao_panel<S>(
      amat,
      a0,
      a0,
      [&pairs](Eigen::Index col) { return pairs[static_cast<std::size_t>(col)]; },
      ball_bits,
      true);
  Mat<S> first = Mat<S>::Zero(npj, ncols);
  // adds part (ncols x npj) to first, transposed
  const auto add = [&first, npj, ncols, ball_bits](Mat<S>& part) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Eigen::Index col = 0; col < ncols; ++col) {
      ScopedBallPrecision precision(ball_bits);
      for (Eigen::Index r = 0; r < npj; ++r) first(r, col) += part(col, r);
    }
  };
  if (x != nullptr) {
    const Eigen::Index nl = x->rows() / n, depth = x->rows();
    const auto a_entry = [&amat, nl](Eigen::Index col, Eigen::Index l) -> const S& {
      return amat(l / nl, col);
    };
    Mat<S> gram = product_khatri_rao<S>(ncols, depth, a_entry, *x, *x, pj, [&] {
      Mat<S> panel(depth, npj);
      khatri_rao_panel<S>(panel, *x, *x, pj_of, ball_bits, true);
      return product_of_entries<S>(ncols, depth, a_entry, panel);
    });
    add(gram);
  }
  if (e != nullptr) {
    const Eigen::Index n2 = e->cols();
    // body(r, p, j) for every row (p, j), on every thread at the caller's ball precision
    const auto each_pair = [&pj, npj, ball_bits](const auto& body) {
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
      for (Eigen::Index r = 0; r < npj; ++r) {
        ScopedBallPrecision precision(ball_bits);
        const auto [p, j] = pj[static_cast<std::size_t>(r)];
        body(r, p, j);
      }
    };
    Mat<S> v(n2, npj);
    each_pair([&](Eigen::Index r, Eigen::Index p, Eigen::Index j) {
      for (Eigen::Index c = 0; c < n2; ++c) multiply_into(v(c, r), w(c, p), w(c, j));
    });
    const auto a_entry = [&amat](Eigen::Index col, Eigen::Index i) -> const S& {
      return amat(i, col);
    };
    Mat<S> part(ncols, npj);
    bool done = false;
    if constexpr (kInPlaceGemm<S>) {
      const Mat<S>& em = *e;
      done = !narrow_balls<S>() &&
             crt_gemm_entries_hadamard<S>(
                 part,
                 ncols,
                 n,
                 a_entry,
                 [&em](Eigen::Index l, Eigen::Index c) -> const S& { return em(l, c); },
                 em.cols(),
                 {},
                 1,
                 v,
                 d1,
                 &d1,
                 pj);
    }
    if (!done) {  // B = (E V) ⊙ d ⊙ d formed
      Mat<S> b = product<S>(*e, false, v);
      each_pair([&](Eigen::Index r, Eigen::Index p, Eigen::Index j) {
        for (Eigen::Index i = 0; i < n; ++i) {
          b(i, r) *= d1(i, p);
          b(i, r) *= d1(i, j);
        }
      });
      part = product<S>(amat, true, b);
    }
    add(part);
    const Mat<S> hs = product<S>(*h, true, amat);  // n_1 x ncols
    for (Eigen::Index p = 0; p < n1; ++p) {
      for (Eigen::Index col = 0; col < ncols; ++col) first(p * (p + 1) / 2 + p, col) += hs(p, col);
    }
  }
  return first;
}
}  // namespace detail

template <class Scalar>
template <class Sink>
void LossFunction<Scalar>::hessian_all_into(const Vec<Scalar>& theta,
                                            HessianPart part,
                                            Sink& sink) const {
  using S = Scalar;
  detail::check_length(network_, theta, "theta");
  if constexpr (ScalarTraits<Scalar>::has_transcendentals) {
    if (teacher_network_) {
      if (part != HessianPart::Full) per_sample("the Gauss–Newton and residual parts");
      Vec<S> g;
      Mat<S> h;
      detail::population_derivatives<S>(network_, *teacher_network_, theta, teacher_, &g, &h);
      for (Eigen::Index j = 0; j < h.cols(); ++j) {
        for (Eigen::Index i = j; i < h.rows(); ++i) sink.set_symmetric(i, j, h(i, j));
      }
      if (network_.l2 != 0) {
        const S two_c = S(2) * ScalarTraits<S>::from_rational(network_.l2);
        for (Eigen::Index k = 0; k < h.rows(); ++k) {
          if (network_.in_l2_scope(k)) sink.add_diagonal(k, two_c);
        }
      }
      return;
    }
  }
  const bool with_g = part != HessianPart::Residual;
  const bool with_h = part != HessianPart::GaussNewton;
  const int L = network_.num_layers();
  const Eigen::Index n = x_.rows();
  const auto P = static_cast<Eigen::Index>(network_.num_parameters());
  const auto f = detail::forward<S>(network_, x_, theta, 2);
  const auto t = detail::output_terms<S>(network_, f.z[static_cast<std::size_t>(L)], y_);
  const auto bp = detail::backprop<S>(network_, f, t.e);
  const auto& delta = bp.delta;
  auto width = [&](int l) { return static_cast<Eigen::Index>(network_.width(l)); };
  using Map = Eigen::Map<Mat<S>>;
  using CMap = Eigen::Map<const Mat<S>>;

  // Ball precision is thread-local: every parallel loop below sets the caller's in its threads.
  const int ball_bits = ball_precision();
  // K_m = ∂²ℓ/∂z_m² per sample, stored as columns (n_m*n_m) x N.
  std::vector<Mat<S>> K(static_cast<std::size_t>(L + 1));
  {
    const Eigen::Index nL = width(L);
    Mat<S>& KL = K[static_cast<std::size_t>(L)];
    KL = Mat<S>::Zero(nL * nL, n);
    if (with_g) {
      for (Eigen::Index i = 0; i < n; ++i) {
        Map k(KL.col(i).data(), nL, nL);
        if (network_.loss == LossKind::Squared) {
          k.setIdentity();
        } else if (network_.loss == LossKind::BinaryCrossEntropy) {
          k.setZero();
          for (Eigen::Index a = 0; a < nL; ++a) k(a, a) = t.p(i, a) * (S(1) - t.p(i, a));
        } else {
          S ysum(0);
          for (Eigen::Index c = 0; c < nL; ++c) ysum += y_(i, c);
          for (Eigen::Index a = 0; a < nL; ++a) {
            for (Eigen::Index b = 0; b < nL; ++b) {
              k(a, b) = ysum * ((a == b ? t.p(i, a) : S(0)) - t.p(i, a) * t.p(i, b));
            }
          }
        }
      }
    }
  }
  // Multiprecision scalars keep the unrolled level's G_i (below) as X_i = G_i D1_{L-2,i}, which is
  // T_{L,L-2,i}: at the output layer neither T_{L-1,L-2} nor S_{L-1,L-2} is formed.
  constexpr bool kFactored = detail::kInPlaceGemm<S>;
  Mat<S> x_top;  // (N n_L) x n_{L-2}: row i n_L + c is row c of X_i, when kept
  // When the unrolled level is the first layer (L = 3) and K_L = I (the squared loss, or no
  // Gauss–Newton part), K_1 is read only by the block (1, 1). Multiprecision scalars then never
  // form it: that block's first term comes from K_1's factors in three products over the samples
  // (detail::folded_first_term), with no multiprecision operation per entry of any K_{1,i}.
  // (Balls of at most 53 bits multiply in doubles, where the scalings cost little: not there.)
  const bool fold_k1 = kFactored && L == 3 && 2 * width(L) <= width(L - 1) &&
                       (!with_g || network_.loss == LossKind::Squared) &&
                       !detail::narrow_balls<S>();
  Mat<S> e_fold;  // the unrolled level's E, kept for the block (1, 1) (fold_k1)
  for (int m = L - 1; m >= 1; --m) {
    const auto um = static_cast<std::size_t>(m);
    const Eigen::Index nm = width(m), nn = width(m + 1);
    const Mat<S> w = f.w[um + 1].leftCols(nm);  // n_{m+1} x n_m
    const Mat<S>& wd = bp.back[um];             // rows: W_{m+1}ᵀ δ_{m+1}
    const bool k_folded = fold_k1 && m == 1;    // K_1 is not formed
    if (!k_folded) K[um].resize(nm * nm, n);
    // W_{m+1}ᵀ K_{m+1,i} W_{m+1}: at the output layer of the squared loss K_L = I for every
    // sample (0 without the Gauss–Newton part), so the product is the one matrix W_Lᵀ W_L;
    // otherwise batched over the samples, so that the two products share W_{m+1} and are large:
    // Y = W_{m+1}ᵀ [K_{m+1,1} ... K_{m+1,N}] (n_m x n_{m+1}N), the blocks Y_i stacked as rows of
    // Z (N n_m x n_{m+1}), then Z W_{m+1} holds every Y_i W_{m+1}.
    const bool shared = m + 1 == L && (!with_g || network_.loss == LossKind::Squared);
    // One level below the output layer (m = L - 2) the recursion is unrolled once more:
    //   W_{m+1}ᵀ K_{m+1,i} W_{m+1} = G_iᵀ K_{L,i} G_i + W_{m+1}ᵀ diag(e_i) W_{m+1},
    // G_i = W_L D1_{m+1,i} W_{m+1} (n_L x n_m), e_i = σ''(z_{m+1}) ⊙ W_Lᵀ δ_L. With few outputs
    // the Gram matrices G_iᵀ K_L G_i are cheap per sample, G is one product (the W_L D1_{m+1,i}
    // stacked as rows, times W_{m+1}) and the second term one more for all samples (E times the
    // Khatri-Rao columns W_{m+1}[c, a] W_{m+1}[c, b], b <= a), instead of two products the size
    // of all the K_{m+1,i}.
    const Eigen::Index nL = width(L);
    const bool unrolled = m + 2 == L && 2 * nL <= nn;
    std::vector<std::pair<Eigen::Index, Eigen::Index>> tri;  // (a, b), b <= a: column of ep
    Mat<S> g, ep;                                            // (N n_L) x n_m and N x n_m(n_m+1)/2
    Mat<S> r;
    if (unrolled) {
      [[maybe_unused]] constexpr bool costly = ScalarTraits<S>::is_multiprecision;  // threads pay
      const auto un = static_cast<std::size_t>(m + 1);
      if (with_g) {
        Mat<S> xs(n * nL, nn);  // row i n_L + c: row c of W_L D1_{m+1,i}
        const Mat<S>& wl = f.w[static_cast<std::size_t>(L)];
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (costly)
#endif
        for (Eigen::Index q = 0; q < nn; ++q) {
          ScopedBallPrecision precision(ball_bits);
          for (Eigen::Index i = 0; i < n; ++i) {
            for (Eigen::Index c = 0; c < nL; ++c) {
              detail::multiply_into(xs(i * nL + c, q), wl(c, q), f.d1[un](i, q));
            }
          }
        }
        g = detail::product<S>(xs, false, w);
        if (kFactored) {  // X = G D1_m, every sample: the columns of the G_i scaled
          // in place when G itself is not read again (K_1 folded), else into a copy
          if (fold_k1) {
            x_top = std::move(g);
          } else {
            x_top = g;
          }
          const Mat<S>& d1 = f.d1[um];
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
          for (Eigen::Index j = 0; j < nm; ++j) {
            ScopedBallPrecision precision(ball_bits);
            for (Eigen::Index row = 0; row < x_top.rows(); ++row) x_top(row, j) *= d1(row / nL, j);
          }
        }
      }
      if (with_h) {
        for (Eigen::Index b = 0; b < nm; ++b) {
          for (Eigen::Index a = b; a < nm; ++a) tri.emplace_back(a, b);
        }
        const auto npairs = static_cast<Eigen::Index>(tri.size());
        Mat<S> e(n, nn), krw(nn, fold_k1 ? 0 : npairs);  // the folded block forms its own W⊙W
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (costly)
#endif
        for (Eigen::Index c = 0; c < nn; ++c) {
          ScopedBallPrecision precision(ball_bits);
          for (Eigen::Index i = 0; i < n; ++i)
            detail::multiply_into(e(i, c), f.d2[un](i, c), bp.back[un](i, c));
          for (Eigen::Index col = 0; col < krw.cols(); ++col) {
            const auto [a, b] = tri[static_cast<std::size_t>(col)];
            detail::multiply_into(krw(c, col), w(c, a), w(c, b));
          }
        }
        if (fold_k1) {
          e_fold = std::move(e);
        } else {
          ep = detail::product<S>(e, false, krw);
        }
      }
    } else if (shared) {
      r = with_g ? detail::product<S>(w, true, w) : Mat<S>(Mat<S>::Zero(nm, nm));
    } else {
      Mat<S> y(nm, nn * n);
      detail::gemm<S>(y, w, true, CMap(K[um + 1].data(), nn, nn * n));
      // (N n_m) x n_m: the rows of Z are read in place, Z(i n_m + a, b) = Y_i(a, b)
      r = detail::product_of_entries<S>(
          n * nm,
          nn,
          [&y, nm, nn](Eigen::Index row, Eigen::Index b) -> const S& {
            return y(row % nm, (row / nm) * nn + b);
          },
          w);
    }
    // K_{m,i} = D1_{m,i} (W_{m+1}ᵀ K_{m+1,i} W_{m+1}) D1_{m,i} + diag(σ''(z_m) ⊙ W_{m+1}ᵀ δ_{m+1}),
    // scaled in place (the same two roundings per entry as (k·d_a)·d_b). K_m is symmetric and its
    // lower triangle is always computed. Its diagonal block and the block (m, m-1) read only that
    // (the latter through kw below); the upper triangle is copied only for the readers of whole
    // K_{m,i}: the per-sample products K_m T_{m,l} of the blocks l < m - 1 (m >= 3), and the
    // recursion one level down where that level is neither unrolled nor at the output (m = 2 then).
    const bool upper = m >= 3 || (m == 2 && !(m + 1 == L && 2 * nL <= width(m)));
    if (k_folded) continue;
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Eigen::Index i = 0; i < n; ++i) {
      ScopedBallPrecision precision(ball_bits);
      Map k(K[um].col(i).data(), nm, nm);
      if (unrolled) {
        detail::unrolled_curvature<S>(k,
                                      i,
                                      nL,
                                      with_g ? &g : nullptr,
                                      network_.loss == LossKind::Squared,
                                      K[static_cast<std::size_t>(L)],
                                      with_h ? &ep : nullptr,
                                      f.d1[um],
                                      upper);
      } else {
        // the lower triangle; K_{m,i} is symmetric, the upper one is its copy where needed
        const Eigen::Index r0 = shared ? 0 : i * nm;
        for (Eigen::Index b = 0; b < nm; ++b) {
          for (Eigen::Index a = b; a < nm; ++a) {
            detail::multiply_into(k(a, b), r(r0 + a, b), f.d1[um](i, a));
            k(a, b) *= f.d1[um](i, b);
            if (upper && a != b) k(b, a) = k(a, b);
          }
        }
      }
      if (with_h) {
        for (Eigen::Index a = 0; a < nm; ++a) k(a, a) += f.d2[um](i, a) * wd(i, a);
      }
    }
  }
  const bool have_x_top = x_top.size() > 0;

  const S scale = detail::mean_factor<S>(network_, n);
  // A summed loss of scale 1 multiplies by exactly 1: skipped (a ball product per entry).
  const bool unit_scale = network_.reduction != Reduction::Mean && network_.loss_scale == 1;
  // T[l] = T_{m,l} = ∂z_m/∂z_l per sample ((n_m*n_l) x N), for l < m; updated as m grows.
  std::vector<Mat<S>> T(static_cast<std::size_t>(L + 1));
  // The Khatri-Rao panels of every block share one matrix, sized for the widest block: a number
  // written again keeps its storage (a 256-bit ball's limbs live in their own heap block, and a
  // fresh ball per entry and block was a large part of the ball Hessian's malloc and free).
  Eigen::Index widest_panel = 0;
  for (int m = 1; m <= L; ++m) {
    const Eigen::Index qm = f.at[static_cast<std::size_t>(m - 1)].cols();
    for (int l = 1; l <= m; ++l) {
      const Eigen::Index kl = f.at[static_cast<std::size_t>(l - 1)].cols();
      widest_panel = std::max(widest_panel, l == m ? qm * (qm + 1) / 2 : qm * kl);
    }
  }
  Mat<S> v_all;  // allocated when a panel is first formed
  for (int m = 1; m <= L; ++m) {
    const auto um = static_cast<std::size_t>(m);
    const Eigen::Index nm = width(m);
    std::vector<Mat<S>> S_prev(static_cast<std::size_t>(L + 1));  // D1_{m-1} T_{m-1,l}
    if (m >= 2) {
      const Eigen::Index np = width(m - 1);
      const Mat<S> w = f.w[um].leftCols(np);  // n_m x n_{m-1}
      // S_{m-1,l} = D1_{m-1} T_{m-1,l} (T_{m-1,m-1} = I), then T_{m,l} = W_m S_{m-1,l}
      for (int l = 1; l <= m - 1; ++l) {
        const auto ul = static_cast<std::size_t>(l);
        const Eigen::Index nl = width(l);
        if (l == m - 1) {
          // T_{L-1,L-2} is only needed for T_{L,L-2}, which then comes from G (below)
          if (have_x_top && m + 1 == L) continue;
          // at the output layer with K_L = I the block (L, L - 1) reads W_L and D1_{L-1} (below)
          if (m == L && with_g && network_.loss == LossKind::Squared) continue;
          // S_{m-1,m-1} = D1_{m-1} is diagonal: T_{m,m-1} = W_m D1_{m-1} scales the columns of W_m,
          // and the δ-term below reads D1_{m-1} itself (S_prev[l] stays empty).
          Mat<S> tn(nm * np, n);
          detail::scale_columns_per_sample<S>(
              tn,
              nm,
              f.d1[um - 1],
              ball_bits,
              [&w](Eigen::Index, Eigen::Index a, Eigen::Index q) -> const S& { return w(a, q); });
          T[ul] = std::move(tn);
          continue;
        }
        // T_{L,L-2,i} = W_L D1_{L-1,i} W_{L-1} D1_{L-2,i} = X_i, kept at the unrolled level and read
        // there (S_prev[l] and T[l] stay empty; the δ-term of this block is factored below)
        if (have_x_top && m == L && l == m - 2) continue;
        Mat<S>& sp = S_prev[ul];
        sp.resize(np * nl, n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (Eigen::Index i = 0; i < n; ++i) {
          ScopedBallPrecision precision(ball_bits);
          Map s(sp.col(i).data(), np, nl);
          CMap tprev(T[ul].col(i).data(), np, nl);
          for (Eigen::Index j = 0; j < nl; ++j) {
            for (Eigen::Index q = 0; q < np; ++q) {
              detail::multiply_into(s(q, j), tprev(q, j), f.d1[um - 1](i, q));
            }
          }
        }
        // every sample at once: [T_1 ... T_N] = W_m [S_1 ... S_N] (n_m x n_l N)
        Mat<S> tn(nm * nl, n);
        Map tall(tn.data(), nm, nl * n);
        detail::gemm<S>(tall, w, false, CMap(sp.data(), np, nl * n));
        T[ul] = std::move(tn);
      }
    }
    const Mat<S>& am = f.at[um - 1];  // N x (n_{m-1} + β)
    const Eigen::Index qm = am.cols();
    for (int l = 1; l <= m; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      const Eigen::Index nl = width(l);
      // C_{m,l} = K_m T_{m,l} per sample (n_m x n_l); C_{m,m} = K_m.
      Mat<S> c_own, kw;
      // C_i(p, j) = (*c)(p + j n_m, i); c nullptr: (*stacked)(i n_m + p, j)
      const Mat<S>* c = &K[um];
      const Mat<S>* stacked = &kw;
      bool fused_c = false;  // l = m - 1: C never formed, its entries a factor of the product
      // l = m - 1: C = (K_m W_m) D1_{m-1} into kw, with K_{m,i} W_m for every sample in one
      // product (the K_{m,i} stacked as rows), then the columns scaled per sample.
      const auto form_kw = [&]() {
        const Mat<S> w = f.w[um].leftCols(nl);  // n_m x n_{m-1}
        // (N n_m) x n_{m-1}; row i n_m + a of the left factor is row a of K_{m,i}, read in place
        const Mat<S>& km = K[um];
        kw = detail::product_of_entries<S>(
            n * nm,
            nm,
            [&km, nm](Eigen::Index row, Eigen::Index b) -> const S& {
              const Eigen::Index a = row % nm;  // K_{m,i}(a, b), read in the lower triangle
              return a >= b ? km(a + b * nm, row / nm) : km(b + a * nm, row / nm);
            },
            w);
        // scaled in place: C_i(p, j) is kw(i n_m + p, j), read there by the block's product
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (!omp_in_parallel())
#endif
        for (Eigen::Index i = 0; i < n; ++i) {
          ScopedBallPrecision precision(ball_bits);
          for (Eigen::Index j = 0; j < nl; ++j) {
            const S& dj = f.d1[um - 1](i, j);
            for (Eigen::Index p = 0; p < nm; ++p) kw(i * nm + p, j) *= dj;
          }
        }
      };
      // T_{L,L-2} kept as X at the unrolled level: X_i is rows i n_L.. of x_top
      const bool x_t = have_x_top && m == L && l == m - 2;
      // at the output layer of the squared loss K_{L,i} = I, so C_{L,l} = T_{L,l}
      const bool identity_k = m == L && with_g && network_.loss == LossKind::Squared;
      if (identity_k && l < m) {
        c = &T[ul];
        if (x_t) {
          c = nullptr;
          stacked = &x_top;
        }
      } else if (l == m - 1) {
        // T_{m,m-1} = W_m D1_{m-1}: C_i = (K_{m,i} W_m) D1_{m-1,i}. Multiprecision scalars, where
        // it pays (detail::fuse_c_product), never form C: the block's first term is one product
        // whose right factor has the entries C_i[p, j] as a grouped Hadamard product (below).
        const Eigen::Index ncols_here = f.at[um - 1].cols() * f.at[ul - 1].cols();
        fused_c =
            kFactored && !detail::narrow_balls<S>() && detail::fuse_c_product<S>(ncols_here, n, nm);
        if (!fused_c) form_kw();
        c = nullptr;
      } else if (l < m) {
        c_own.resize(nm * nl, n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (Eigen::Index i = 0; i < n; ++i) {
          ScopedBallPrecision precision(ball_bits);
          CMap k(K[um].col(i).data(), nm, nm);
          const Eigen::Map<const Mat<S>, 0, Eigen::OuterStride<>> tt(
              x_t ? &x_top(i * nm, 0) : T[ul].col(i).data(),
              nm,
              nl,
              Eigen::OuterStride<>(x_t ? x_top.rows() : nm));
          Map cc(c_own.col(i).data(), nm, nl);
          detail::gemm<S>(cc, k, false, tt);
        }
        c = &c_own;
      }
      const bool second = with_h && l < m;
      const bool s_diagonal = l == m - 1;
      const bool diagonal = l == m;
      const Mat<S>& al = f.at[ul - 1];  // N x (n_{l-1} + β)
      const Eigen::Index kl = al.cols();
      const Eigen::Index np = m >= 2 ? width(m - 1) : 0;
      // V: the per-sample products ã_{m-1}[q] ã_{l-1}[k] as columns (Khatri-Rao), so that for a
      // fixed output unit p every (j, q, k) entry of the block is one GEMM over the samples. On a
      // diagonal block only q >= k is needed (the product is symmetric in q, k).
      std::vector<std::pair<Eigen::Index, Eigen::Index>> pairs;
      for (Eigen::Index k = 0; k < kl; ++k) {
        for (Eigen::Index q = diagonal ? k : 0; q < qm; ++q) pairs.emplace_back(q, k);
      }
      const auto ncols = static_cast<Eigen::Index>(pairs.size());
      // Multiprecision products by the CRT take the panel as its two factors
      // (crt_gemm_entries_khatri_rao) and never form it; elsewhere it is formed first.
      bool have_panel = false;
      const auto panel = [&]() {
        if (!have_panel) {
          if (v_all.size() == 0) v_all.resize(n, widest_panel);
          auto v = v_all.leftCols(ncols);
          detail::khatri_rao_panel<S>(
              v,
              am,
              al,
              [&pairs](Eigen::Index col) { return pairs[static_cast<std::size_t>(col)]; },
              ball_bits,
              true);
          have_panel = true;
        }
        return v_all.leftCols(ncols);
      };
      if constexpr (!detail::kInPlaceGemm<S>) panel();  // before the chunks run in parallel
      // At the output layer with K_L = I, C_{L,L-1,i} = T_{L,L-1,i} = W_L D1_{L-1,i}, and the first
      // term of the block is W_L[p, j]·Y[j, (q, k)] with Y = Σ_i σ'(z_{L-1,i})[j] ã_{L-1,i}[q]
      // ã_{L-2,i}[k]: one product with n_{L-1} rows instead of n_L·n_{L-1}, and T_{L,L-1} is never
      // formed (the S loop above).
      const bool scaled_rows = identity_k && s_diagonal;
      Mat<S> y_rows;  // n_{m-1} x ncols
      if (scaled_rows) {
        const Mat<S>& dd = f.d1[um - 1];
        const auto d_entry = [&dd](Eigen::Index j, Eigen::Index i) -> const S& { return dd(i, j); };
        y_rows = detail::product_khatri_rao<S>(np, n, d_entry, am, al, pairs, [&] {
          return detail::product_of_entries<S>(np, n, d_entry, panel());
        });
      }
      // Units p are processed in chunks so that the δ-term GEMM packs S_{m-1,l} once per chunk.
      // Multiprecision products run on double GEMMs by the CRT (scalar/crt_gemm.hpp), whose cost
      // is in converting the operands: there the whole block is one chunk, the products use every
      // thread, and only the scatter below runs in parallel.
      const Eigen::Index chunk = detail::kInPlaceGemm<S> ? nm : std::min<Eigen::Index>(nm, 8);
      const Eigen::Index num_chunks = (nm + chunk - 1) / chunk;
      const std::ptrdiff_t off_m = network_.layer_offset(m), off_l = network_.layer_offset(l);
      const auto run_chunk = [&](Eigen::Index ci) {
        ScopedBallPrecision precision(ball_bits);
        const Eigen::Index p0 = ci * chunk;
        const Eigen::Index p1 = std::min(nm, p0 + chunk);
        // ((q, j), (p - p0, k)) = Σ_i S_i[q, j] δ_i[p] ã_{l-1,i}[k]; for l = m - 1, where S_i is
        // diagonal, only the rows q = j, as (q, (p - p0, k)).
        Mat<S> term2;
        if (second && kFactored && l == m - 2) {
          // S_{m-1,l,i}[q, j] = d1_{m-1,i}[q] W_{m-1}[q, j] d1_{l,i}[j] (T_{m-1,m-2} = W_{m-1} D1_{m-2}),
          // so the entry ((q, j), (p - p0, k)) below is W_{m-1}[q, j] times
          //   Σ_i (d1_{m-1,i}[q] δ_{m,i}[p]) (d1_{l,i}[j] ã_{l-1,i}[k]),
          // one product of two Khatri-Rao panels of N (n_{m-1} + n_l) columns instead of one with
          // the N n_{m-1} n_l entries of S_{m-1,l}.
          const Eigen::Index nc = p1 - p0;
          Mat<S> xp(n, np * nc);
          detail::khatri_rao_panel<S>(  // columns (q, p - p0)
              xp,
              f.d1[um - 1],
              delta[um],
              [np, p0](Eigen::Index col) {
                return std::pair{col % np, p0 + col / np};
              },
              ball_bits,
              num_chunks == 1);
          // the right factor's columns (j, k): by the CRT as its two factors, else formed
          std::vector<std::pair<Eigen::Index, Eigen::Index>> jk;
          for (Eigen::Index col = 0; col < nl * kl; ++col) jk.emplace_back(col % nl, col / nl);
          const Mat<S> pr = detail::product_khatri_rao<S>(  // (n_{m-1} nc) x (n_l kl)
              np * nc,
              n,
              [&xp](Eigen::Index r, Eigen::Index i) -> const S& { return xp(i, r); },
              f.d1[ul],
              al,
              jk,
              [&] {
                Mat<S> yp(n, nl * kl);
                detail::khatri_rao_panel<S>(
                    yp,
                    f.d1[ul],
                    al,
                    [&jk](Eigen::Index col) { return jk[static_cast<std::size_t>(col)]; },
                    ball_bits,
                    num_chunks == 1);
                return detail::product<S>(xp, true, yp);
              });
          const Mat<S>& wq = f.w[um - 1];  // n_{m-1} x (n_l + β)
          term2.resize(np * nl, kl * nc);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (num_chunks == 1 && !omp_in_parallel())
#endif
          for (Eigen::Index col = 0; col < kl * nc; ++col) {
            ScopedBallPrecision term_precision(ball_bits);
            const Eigen::Index pp = col / kl, k = col % kl;
            for (Eigen::Index j = 0; j < nl; ++j) {
              for (Eigen::Index q = 0; q < np; ++q) {
                detail::multiply_into(
                    term2(q + j * np, col), wq(q, j), pr(q + pp * np, j + k * nl));
              }
            }
          }
        } else if (second) {
          // the right factor's columns ((p - p0), k) are ã_{l-1}[k] δ_m[p] (Khatri-Rao)
          std::vector<std::pair<Eigen::Index, Eigen::Index>> kr_pairs;
          for (Eigen::Index col = 0; col < kl * (p1 - p0); ++col)
            kr_pairs.emplace_back(col % kl, p0 + col / kl);
          bool done = false;
          if constexpr (detail::kInPlaceGemm<S>) {  // one chunk: run outside any parallel region
            if (!detail::narrow_balls<S>()) {
              const Eigen::Index rows = s_diagonal ? np : np * nl;
              term2.resize(rows, kl * (p1 - p0));
              const auto left = [&](const auto& entry) {
                return detail::crt_gemm_entries_khatri_rao<S>(
                    term2, rows, n, entry, al, delta[um], kr_pairs);
              };
              const Mat<S>& d1 = f.d1[um - 1];
              const Mat<S>& sp = S_prev[ul];
              done =
                  s_diagonal
                      ? left([&d1](Eigen::Index r, Eigen::Index i) -> const S& { return d1(i, r); })
                      : left(
                            [&sp](Eigen::Index r, Eigen::Index i) -> const S& { return sp(r, i); });
            }
          }
          if (!done) {
            Mat<S> scaled(n, kl * (p1 - p0));
            // in parallel only when this chunk is the whole block
            detail::khatri_rao_panel<S>(
                scaled,
                al,
                delta[um],
                [&kr_pairs](Eigen::Index col) { return kr_pairs[static_cast<std::size_t>(col)]; },
                ball_bits,
                num_chunks == 1);
            term2 = s_diagonal ? detail::product<S>(f.d1[um - 1], true, scaled)
                               : detail::product<S>(S_prev[ul], false, scaled);
          }
        }
        // One GEMM for the chunk: rows (p, j) with j < nj(p) (diagonal block: j <= p), columns
        // (q, k): Σ_i C_i[p, j] ã_{m-1,i}[q] ã_{l-1,i}[k].
        std::vector<Eigen::Index> row0(static_cast<std::size_t>(p1 - p0) + 1, 0);
        for (Eigen::Index p = p0; p < p1; ++p) {
          row0[static_cast<std::size_t>(p - p0 + 1)] =
              row0[static_cast<std::size_t>(p - p0)] + (diagonal ? p + 1 : nl);
        }
        // row r0 + j of the left factor is row p + j n_m of C, read in place
        std::vector<Eigen::Index> crow(static_cast<std::size_t>(row0.back()));
        for (Eigen::Index p = p0; p < p1; ++p) {
          const Eigen::Index r0 = row0[static_cast<std::size_t>(p - p0)];
          for (Eigen::Index j = 0; j < (diagonal ? p + 1 : nl); ++j)
            crow[static_cast<std::size_t>(r0 + j)] = p + j * nm;
        }
        const auto c_entry = [c, stacked, &crow, nm](Eigen::Index r, Eigen::Index i) -> const S& {
          const Eigen::Index pj = crow[static_cast<std::size_t>(r)];  // p + j n_m
          return c != nullptr ? (*c)(pj, i) : (*stacked)(i * nm + pj % nm, pj / nm);
        };
        Mat<S> first_all;
        bool done = false;
        if (scaled_rows) {  // W_L[p, j]·Y[j, ·]
          const Mat<S>& wm = f.w[um];
          first_all.resize(row0.back(), ncols);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (num_chunks == 1 && !omp_in_parallel())
#endif
          for (Eigen::Index r = 0; r < row0.back(); ++r) {
            ScopedBallPrecision row_precision(ball_bits);
            const Eigen::Index p = crow[static_cast<std::size_t>(r)] % nm;
            const Eigen::Index j = r - row0[static_cast<std::size_t>(p - p0)];
            for (Eigen::Index col = 0; col < ncols; ++col)
              detail::multiply_into(first_all(r, col), wm(p, j), y_rows(j, col));
          }
          done = true;
        }
        if (fold_k1 && m == 1) {  // K_1 was not formed; one chunk
          Mat<S> h1;              // σ''(z_1) ⊙ W_2ᵀ δ_2, K_1's diagonal term
          if (with_h) h1 = detail::hadamard<S>(f.d2[um], bp.back[um]);
          first_all = detail::folded_first_term<S>(am,
                                                   pairs,
                                                   with_g ? &x_top : nullptr,
                                                   with_h ? &e_fold : nullptr,
                                                   f.w[um + 1],
                                                   f.d1[um],
                                                   with_h ? &h1 : nullptr,
                                                   ball_bits);
          done = true;
        }
        // Fᵀ = Vᵀ B with V the Khatri-Rao panel (columns (q, k)) and B(i, (p, j)) = C_i[p, j] =
        // (Σ_b K_{m,i}[p, b] W_m[b, j])·d1_{m-1,i}[j]: groups p of B's columns, E(i, (p, b)) =
        // K_{m,i}[p, b] read in K's lower triangle, so C is never formed (one chunk: p0 = 0 and
        // row (p, j) of the block is column p n_l + j of Fᵀ).
        bool transposed = false;
        if (fused_c) {
          const Mat<S>& km = K[um];
          const Mat<S> wm = f.w[um].leftCols(nl);                    // n_m x n_{m-1}
          std::vector<std::pair<Eigen::Index, Eigen::Index>> jcols;  // x's column j (no y)
          for (Eigen::Index col = 0; col < nm * nl; ++col) jcols.emplace_back(col % nl, 0);
          // E's column (p, b) is K's (p, b) of the lower triangle, each stored once: the columns
          // (a, b), a >= b, in K's storage order
          std::vector<std::int64_t> e_map(static_cast<std::size_t>(nm * nm));
          std::vector<Eigen::Index> tri_row;  // stored column -> K's row a + b n_m
          for (Eigen::Index b = 0; b < nm; ++b) {
            for (Eigen::Index a = b; a < nm; ++a) {
              const auto stored = static_cast<std::int64_t>(tri_row.size());
              e_map[static_cast<std::size_t>(a * nm + b)] = stored;
              e_map[static_cast<std::size_t>(b * nm + a)] = stored;
              tri_row.push_back(a + b * nm);
            }
          }
          const auto v = panel();
          Mat<S> ft(ncols, nm * nl);
          if constexpr (kFactored) {
            transposed = detail::crt_gemm_entries_hadamard<S>(
                ft,
                ncols,
                n,
                [&v](Eigen::Index r, Eigen::Index i) -> const S& { return v(i, r); },
                [&km, &tri_row](Eigen::Index i, Eigen::Index col) -> const S& {
                  return km(tri_row[static_cast<std::size_t>(col)], i);
                },
                static_cast<Eigen::Index>(tri_row.size()),
                e_map,
                nm,
                wm,
                f.d1[um - 1],
                nullptr,
                jcols);
          }
          if (transposed) {
            first_all = std::move(ft);
            done = true;
          } else {
            form_kw();  // the CRT declined: C formed after all, read as kw below
          }
        }
        // (multiprecision: one chunk, run outside any parallel region)
        if (!done) {
          first_all = detail::product_khatri_rao<S>(row0.back(), n, c_entry, am, al, pairs, [&] {
            return detail::product_of_entries<S>(row0.back(), n, c_entry, panel());
          });
        }
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (num_chunks == 1 && !omp_in_parallel())
#endif
        for (Eigen::Index r = 0; r < row0.back(); ++r) {  // row (p, j): every row as much work
          ScopedBallPrecision scatter_precision(ball_bits);
          const Eigen::Index p = crow[static_cast<std::size_t>(r)] % nm;
          const Eigen::Index j = r - row0[static_cast<std::size_t>(p - p0)];
          for (Eigen::Index col_idx = 0; col_idx < ncols; ++col_idx) {
            const auto [q, k] = pairs[static_cast<std::size_t>(col_idx)];
            // each entry is used once: in place
            S& value = transposed ? first_all(col_idx, r) : first_all(r, col_idx);
            if (second && q < np) {
              if (!s_diagonal) {
                value += term2(q + j * np, (p - p0) * kl + k);
              } else if (q == j) {
                value += term2(q, (p - p0) * kl + k);
              }
            }
            if (!unit_scale) value *= scale;
            const auto row = network_.augmented_index_at(off_m, m, p, q);
            const auto col = network_.augmented_index_at(off_l, l, j, k);
            // The value's last use hands it over (a ball's limbs move instead of being copied).
            if (diagonal) {  // the same number for the pair (q <-> k)
              sink.set_symmetric(row, col, value);
              sink.set_symmetric(network_.augmented_index_at(off_m, m, p, k),
                                 network_.augmented_index_at(off_l, l, j, q),
                                 std::move(value));
            } else {
              sink.set_symmetric(row, col, std::move(value));
            }
          }
        }
      };
      // A single chunk runs outside any parallel region: inside even an inactive one (if (false))
      // every parallel region of its products is nested, and libgomp starts fresh threads for a
      // nested region instead of reusing its pool (measured: a 256×300×51 CRT product 0.06 s
      // there, 0.03 s here).
      if (num_chunks == 1) {
        run_chunk(0);
      } else {
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic)
#endif
        for (Eigen::Index ci = 0; ci < num_chunks; ++ci) run_chunk(ci);
      }
    }
  }
  if (with_g && network_.l2 != 0) {  // the L2 Hessian 2c·I is PSD and belongs to G
    const S two_c = ScalarTraits<S>::from_rational(network_.l2 * Rational(2));
    for (Eigen::Index k = 0; k < P; ++k) {
      if (network_.in_l2_scope(k)) sink.add_diagonal(k, two_c);
    }
  }
}

namespace detail {

// hessian_all_into's sink for the matrix itself.
template <class S>
struct MatrixSink {
  Mat<S>& m;
  void set_symmetric(Eigen::Index row, Eigen::Index col, const S& value) {
    m(row, col) = value;
    m(col, row) = value;
  }
  void set_symmetric(Eigen::Index row, Eigen::Index col, S&& value) {
    if (row != col) m(row, col) = value;
    m(col, row) = std::move(value);
  }
  void add_diagonal(Eigen::Index k, const S& value) { m(k, k) += value; }
};

// hessian_all_into's sink for an enclosure in doubles (interval scalars): each value becomes a
// double midpoint and a radius rounded up as it arrives. Of the entries that do not fit, the
// first in column-major order of the lower triangle is kept and reported after the parallel
// loops (the same one whatever the number of threads).
template <class S>
struct DoubleEnclosureSink {
  explicit DoubleEnclosureSink(DoubleEnclosure& target) : e(target) {}
  DoubleEnclosure& e;
  std::atomic<bool> failed{false};
  Eigen::Index bad_row = 0, bad_col = 0;
  S bad_value;  // formatted by the calling thread: FLINT's decimal conversion caches per thread
  std::mutex mutex;
  void put(Eigen::Index row, Eigen::Index col, const S& value) {
    double mid = 0, rad = 0;
    if (!enclose_in_double(value, &mid, &rad)) {
      const Eigen::Index r = std::max(row, col), c = std::min(row, col);
      const std::lock_guard<std::mutex> lock(mutex);
      if (!failed.exchange(true) || c < bad_col || (c == bad_col && r < bad_row)) {
        bad_row = r;
        bad_col = c;
        bad_value = value;
      }
      return;
    }
    e.mid(row, col) = e.mid(col, row) = mid;
    e.rad(row, col) = e.rad(col, row) = rad;
  }
  void set_symmetric(Eigen::Index row, Eigen::Index col, const S& value) { put(row, col, value); }
  void add_diagonal(Eigen::Index k, const S& value) {
    if (failed) return;  // reported by the caller
    S sum = ball_from_double(e.mid(k, k), e.rad(k, k));
    sum += value;
    put(k, k, sum);
  }
};

}  // namespace detail

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::hessian_all(const Vec<Scalar>& theta, HessianPart part) const {
  const auto P = static_cast<Eigen::Index>(network_.num_parameters());
  Mat<Scalar> hess(P, P);
  detail::MatrixSink<Scalar> sink{hess};
  hessian_all_into(theta, part, sink);
  return hess;
}

template <class Scalar>
DoubleEnclosure LossFunction<Scalar>::hessian_enclosure(const Vec<Scalar>& theta,
                                                        HessianPart part) const {
  if constexpr (!ScalarTraits<Scalar>::is_interval) {
    static_cast<void>(theta);
    static_cast<void>(part);
    throw UnsupportedScalar(fmt::format(
        "hessian_enclosure: the enclosure in doubles is for interval arithmetic, not {}",
        ScalarTraits<Scalar>::name()));
  } else {
    const Vec<Scalar> all_theta = free_.empty() ? theta : expand(theta);
    const auto P_all = static_cast<Eigen::Index>(network_.num_parameters());
    DoubleEnclosure all{Eigen::MatrixXd(P_all, P_all), Eigen::MatrixXd(P_all, P_all)};
    detail::DoubleEnclosureSink<Scalar> sink(all);
    hessian_all_into(all_theta, part, sink);
    if (sink.failed) {
      throw InvalidArgument(fmt::format(
          "Hessian entry ({}, {}) is {}, expected a finite number that fits in a double",
          sink.bad_row,
          sink.bad_col,
          ScalarTraits<Scalar>::to_string(sink.bad_value)));
    }
    if (free_.empty()) return all;
    const auto P = static_cast<Eigen::Index>(free_.size());
    DoubleEnclosure out{Eigen::MatrixXd(P, P), Eigen::MatrixXd(P, P)};
    for (Eigen::Index j = 0; j < P; ++j) {
      for (Eigen::Index i = 0; i < P; ++i) {
        const auto fi = free_[static_cast<std::size_t>(i)], fj = free_[static_cast<std::size_t>(j)];
        out.mid(i, j) = all.mid(fi, fj);
        out.rad(i, j) = all.rad(fi, fj);
      }
    }
    return out;
  }
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::output_jacobian_all(const Vec<Scalar>& theta) const {
  using S = Scalar;
  per_sample("the output Jacobian");
  detail::check_length(network_, theta, "theta");
  const int L = network_.num_layers();
  const Eigen::Index n = x_.rows();
  const Eigen::Index nL = network_.width(L);
  const auto f = detail::forward<S>(network_, x_, theta, 1);
  Mat<S> jac = Mat<S>::Zero(n * nL, network_.num_parameters());
  // B_l = ∂f/∂z_l per sample (n_L x n_l): B_L = I, B_l = B_{l+1} W_{l+1} D1_l.
  std::vector<Mat<S>> b(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) b[static_cast<std::size_t>(i)] = Mat<S>::Identity(nL, nL);
  for (int l = L; l >= 1; --l) {
    const auto ul = static_cast<std::size_t>(l);
    const Mat<S>& a = f.at[ul - 1];
    for (Eigen::Index i = 0; i < n; ++i) {
      Mat<S>& bi = b[static_cast<std::size_t>(i)];
      for (Eigen::Index c = 0; c < nL; ++c) {
        for (Eigen::Index j = 0; j < bi.cols(); ++j) {
          for (Eigen::Index k = 0; k < a.cols(); ++k) {
            jac(i * nL + c, network_.augmented_index(l, static_cast<int>(j), static_cast<int>(k))) =
                bi(c, j) * a(i, k);
          }
        }
      }
      if (l > 1) {
        Mat<S> next = bi * f.w[ul].leftCols(network_.width(l - 1));
        for (Eigen::Index q = 0; q < next.cols(); ++q) next.col(q) *= f.d1[ul - 1](i, q);
        bi = std::move(next);
      }
    }
  }
  return jac;
}

template <class Scalar>
Scalar LossFunction<Scalar>::third_derivative_all(const Vec<Scalar>& theta,
                                                  const Vec<Scalar>& u) const {
  using S = Scalar;
  per_sample("the third derivative (Taylor mode over the samples)");
  detail::check_length(network_, theta, "theta");
  detail::check_length(network_, u, "u");
  const int L = network_.num_layers();
  const Eigen::Index n = x_.rows();
  // Taylor coefficients (degree 0..3) of the augmented activations along θ + t u.
  std::array<Mat<S>, 4> a;
  a[0] = detail::augment<S>(x_, network_.has_bias(1), S(1));
  for (int r = 1; r < 4; ++r) a[static_cast<std::size_t>(r)] = Mat<S>::Zero(n, a[0].cols());
  std::array<Mat<S>, 4> z;
  for (int l = 1; l <= L; ++l) {
    const Mat<S> w = detail::layer_matrix<S>(network_, theta, l);
    const Mat<S> du = detail::layer_matrix<S>(network_, u, l);
    z[0] = a[0] * w.transpose();
    for (std::size_t r = 1; r < 4; ++r) z[r] = a[r] * w.transpose() + a[r - 1] * du.transpose();
    if (l == L) break;
    const Eigen::Index nl = network_.width(l);
    const bool next_bias = network_.has_bias(l + 1);
    const detail::ActivationData<S> ad = detail::activation_data<S>(network_.activation_at(l));
    for (auto& m : a) m.resize(n, nl + (next_bias ? 1 : 0));
    S d[4] = {S(0), S(0), S(0), S(0)};
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < nl; ++j) {
        const auto st = detail::activation_eval<S>(ad, z[0](i, j), 3, d);
        if (st != detail::ActivationStatus::Ok) {
          // the forward pass of the first derivative reports the precise reason
          (void)detail::forward<S>(network_, x_, theta, 3);
          throw NotDifferentiable("activation not differentiable along the direction");
        }
        const S &z1 = z[1](i, j), &z2 = z[2](i, j), &z3 = z[3](i, j);
        a[0](i, j) = d[0];
        a[1](i, j) = d[1] * z1;
        a[2](i, j) = d[1] * z2 + d[2] * z1 * z1 / S(2);
        a[3](i, j) = d[1] * z3 + d[2] * z1 * z2 + d[3] * z1 * z1 * z1 / S(6);
      }
      if (next_bias) {
        a[0](i, nl) = S(1);
        for (std::size_t r = 1; r < 4; ++r) a[r](i, nl) = S(0);
      }
    }
  }
  const auto t = detail::output_terms<S>(network_, z[0], y_);
  // g''' = ∇³ℓ[f1,f1,f1] + 6 ∇²ℓ[f1,f2] + 6 ∇ℓ·f3
  S total(0);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto f1 = z[1].row(i);
    const auto f2 = z[2].row(i);
    const auto f3 = z[3].row(i);
    S term = S(6) * t.e.row(i).dot(f3);
    if (network_.loss == LossKind::Squared) {
      term += S(6) * f1.dot(f2);
    } else if (network_.loss == LossKind::BinaryCrossEntropy) {
      // ∇²ℓ = diag(s′), ∇³ℓ = diag(s″) with s′ = s(1 − s), s″ = s′(1 − 2s)
      for (Eigen::Index c = 0; c < z[0].cols(); ++c) {
        const S& s = t.p(i, c);
        const S s1 = s * (S(1) - s);
        term += S(6) * s1 * f1(c) * f2(c) + s1 * (S(1) - S(2) * s) * f1(c) * f1(c) * f1(c);
      }
    } else {
      S ysum(0), pf1(0), pf2(0), pf1f2(0);
      for (Eigen::Index c = 0; c < z[0].cols(); ++c) {
        ysum += y_(i, c);
        pf1 += t.p(i, c) * f1(c);
        pf2 += t.p(i, c) * f2(c);
        pf1f2 += t.p(i, c) * f1(c) * f2(c);
      }
      S cumulant(0);
      for (Eigen::Index c = 0; c < z[0].cols(); ++c) {
        const S dv = f1(c) - pf1;
        cumulant += t.p(i, c) * dv * dv * dv;
      }
      term += ysum * (S(6) * (pf1f2 - pf1 * pf2) + cumulant);
    }
    total += term;
  }
  return total * detail::mean_factor<S>(network_, n);
}

template <class Scalar>
std::array<Scalar, 4> activation_derivatives(const Activation& act, const Scalar& z, int order) {
  if (order < 0 || order > 3) {
    throw InvalidArgument(fmt::format("activation_derivatives: order {} is not in 0..3", order));
  }
  const detail::ActivationData<Scalar> ad = detail::activation_data<Scalar>(act);
  std::array<Scalar, 4> d = {Scalar(0), Scalar(0), Scalar(0), Scalar(0)};
  const auto st = detail::activation_eval<Scalar>(ad, z, order, d.data());
  if (st != detail::ActivationStatus::Ok) {
    detail::throw_activation_failure<Scalar>(st, act, z, "activation_derivatives", order);
  }
  return d;
}

// Frozen parameters (docs/math/frozen.md): the public members take and return free coordinates;
// θ_all has the frozen values in their places, derivatives keep the free rows and columns.
template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::expand(const Vec<Scalar>& theta) const {
  detail::check_length(given_, theta, "theta");
  return expand_free<Scalar>(given_, theta);
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::pad(const Vec<Scalar>& v, const char* what) const {
  detail::check_length(given_, v, what);
  return expand_free<Scalar>(given_, v, true);
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::restrict(const Vec<Scalar>& all) const {
  Vec<Scalar> out(static_cast<Eigen::Index>(free_.size()));
  for (std::size_t k = 0; k < free_.size(); ++k) out(static_cast<Eigen::Index>(k)) = all(free_[k]);
  return out;
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::outputs(const Vec<Scalar>& theta) const {
  return free_.empty() ? outputs_all(theta) : outputs_all(expand(theta));
}

template <class Scalar>
Scalar LossFunction<Scalar>::loss(const Vec<Scalar>& theta) const {
  return free_.empty() ? loss_all(theta) : loss_all(expand(theta));
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::residuals(const Vec<Scalar>& theta) const {
  return free_.empty() ? residuals_all(theta) : residuals_all(expand(theta));
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::gradient(const Vec<Scalar>& theta, Scalar* loss) const {
  if (free_.empty()) return gradient_all(theta, loss);
  return restrict(gradient_all(expand(theta), loss));
}

template <class Scalar>
LayerTerms<Scalar> LossFunction<Scalar>::layer_terms(const Vec<Scalar>& theta, int l) const {
  return free_.empty() ? layer_terms_all(theta, l) : layer_terms_all(expand(theta), l);
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::hessian_vector_product(const Vec<Scalar>& theta,
                                                         const Vec<Scalar>& v,
                                                         HessianPart part) const {
  if (free_.empty()) return hessian_vector_product_all(theta, v, part);
  return restrict(hessian_vector_product_all(expand(theta), pad(v, "v"), part));
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::hessian(const Vec<Scalar>& theta, HessianPart part) const {
  if (free_.empty()) return hessian_all(theta, part);
  const Mat<Scalar> all = hessian_all(expand(theta), part);
  const auto P = static_cast<Eigen::Index>(free_.size());
  Mat<Scalar> out(P, P);
  for (Eigen::Index j = 0; j < P; ++j) {
    for (Eigen::Index i = 0; i < P; ++i) {
      out(i, j) = all(free_[static_cast<std::size_t>(i)], free_[static_cast<std::size_t>(j)]);
    }
  }
  return out;
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::output_jacobian(const Vec<Scalar>& theta) const {
  if (free_.empty()) return output_jacobian_all(theta);
  const Mat<Scalar> all = output_jacobian_all(expand(theta));
  Mat<Scalar> out(all.rows(), static_cast<Eigen::Index>(free_.size()));
  for (std::size_t k = 0; k < free_.size(); ++k) {
    out.col(static_cast<Eigen::Index>(k)) = all.col(free_[k]);
  }
  return out;
}

template <class Scalar>
Scalar LossFunction<Scalar>::third_derivative(const Vec<Scalar>& theta,
                                              const Vec<Scalar>& u) const {
  if (free_.empty()) return third_derivative_all(theta, u);
  return third_derivative_all(expand(theta), pad(u, "u"));
}

}  // namespace locus

#define LOCUS_DERIVATIVES_INSTANTIATE(Scalar)                           \
  template class locus::LossFunction<Scalar>;                           \
  template std::array<Scalar, 4> locus::activation_derivatives<Scalar>( \
      const locus::Activation&, const Scalar&, int);
