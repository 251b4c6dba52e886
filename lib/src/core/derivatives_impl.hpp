// Definitions of LossFunction<Scalar> (locus/core/derivatives.hpp). Included only by the explicit
// instantiation files lib/src/instantiate/derivatives_<scalar>.cpp.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "scalar/gemm.hpp"

#include "locus/core/derivatives.hpp"
#include "locus/scalar/concepts.hpp"

#include <fmt/format.h>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace locus {

namespace detail {

enum class ActivationStatus { Ok, Kink, Undecided, NotExact };

/// σ and its derivatives up to `order` at z, into d[0..order].
template <class S>
ActivationStatus activation_eval(
    const Activation& act, const std::vector<S>& coefficients, const S& z, int order, S* d) {
  using T = ScalarTraits<S>;
  switch (act.kind) {
    case ActivationKind::Identity:
      d[0] = z;
      if (order >= 1) d[1] = S(1);
      if (order >= 2) d[2] = S(0);
      if (order >= 3) d[3] = S(0);
      return ActivationStatus::Ok;
    case ActivationKind::Polynomial: {
      // Taylor-shifted Horner: q_r is the r-th Taylor coefficient of p at z.
      S q0(0), q1(0), q2(0), q3(0);
      for (auto it = coefficients.rbegin(); it != coefficients.rend(); ++it) {
        if (order >= 3) q3 = q3 * z + q2;
        if (order >= 2) q2 = q2 * z + q1;
        if (order >= 1) q1 = q1 * z + q0;
        q0 = q0 * z + *it;
      }
      d[0] = q0;
      if (order >= 1) d[1] = q1;
      if (order >= 2) d[2] = S(2) * q2;
      if (order >= 3) d[3] = S(6) * q3;
      return ActivationStatus::Ok;
    }
    case ActivationKind::Relu: {
      bool positive = false;
      if constexpr (T::is_interval) {
        if (certainly_zero(z) == Certainty::True) return ActivationStatus::Kink;
        const Certainty c = certainly_positive(z);
        if (c == Certainty::Unknown) return ActivationStatus::Undecided;
        positive = c == Certainty::True;
      } else {
        if (z == S(0)) return ActivationStatus::Kink;
        positive = S(0) < z;
      }
      d[0] = positive ? z : S(0);
      if (order >= 1) d[1] = positive ? S(1) : S(0);
      if (order >= 2) d[2] = S(0);
      if (order >= 3) d[3] = S(0);
      return ActivationStatus::Ok;
    }
    case ActivationKind::Sigmoid:
    case ActivationKind::Tanh:
    case ActivationKind::Softplus:
      break;
  }
  if constexpr (!T::has_transcendentals) {
    // Exact values exist only at z = 0: sigmoid 1/2, 1/4, 0, -1/8; tanh 0, 1, 0, -2.
    if (!(z == S(0)) || act.kind == ActivationKind::Softplus) return ActivationStatus::NotExact;
    const bool sig = act.kind == ActivationKind::Sigmoid;
    d[0] = sig ? T::from_ratio(1, 2) : S(0);
    if (order >= 1) d[1] = sig ? T::from_ratio(1, 4) : S(1);
    if (order >= 2) d[2] = S(0);
    if (order >= 3) d[3] = sig ? T::from_ratio(-1, 8) : S(-2);
    return ActivationStatus::Ok;
  } else {
    using std::exp, std::log, std::tanh;
    if (act.kind == ActivationKind::Tanh) {
      const S t = tanh(z);
      const S t1 = S(1) - t * t;
      d[0] = t;
      if (order >= 1) d[1] = t1;
      if (order >= 2) d[2] = S(-2) * t * t1;
      if (order >= 3) d[3] = S(-2) * t1 * (t1 - S(2) * t * t);
      return ActivationStatus::Ok;
    }
    // sigmoid s, s' = s(1-s), s'' = s'(1-2s), s''' = s'(1 - 6s + 6s^2)
    const S s = S(1) / (S(1) + exp(-z));
    const S s1 = s * (S(1) - s);
    if (act.kind == ActivationKind::Sigmoid) {
      d[0] = s;
      if (order >= 1) d[1] = s1;
      if (order >= 2) d[2] = s1 * (S(1) - S(2) * s);
      if (order >= 3) d[3] = s1 * (S(1) - S(6) * s + S(6) * s * s);
      return ActivationStatus::Ok;
    }
    // softplus log(1 + e^z): stable form max(z, 0) + log(1 + e^{-|z|}) where an order exists
    if constexpr (OrderedField<S>) {
      using std::abs;
      const S pos = S(0) < z ? z : S(0);
      d[0] = pos + log(S(1) + exp(-abs(z)));
    } else {
      d[0] = log(S(1) + exp(z));
    }
    if (order >= 1) d[1] = s;
    if (order >= 2) d[2] = s1;
    if (order >= 3) d[3] = s1 * (S(1) - S(2) * s);
    return ActivationStatus::Ok;
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
std::vector<S> activation_coefficients(const Activation& act) {
  std::vector<S> c;
  for (const auto& r : act.coefficients) c.push_back(ScalarTraits<S>::from_rational(r));
  return c;
}

template <class S>
std::string describe_value(const S& x) {
  std::string s = ScalarTraits<S>::to_string(x);
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

template <class S>
Mat<S> layer_matrix(const Network& net, const Vec<S>& theta, int l) {
  const int beta = net.bias ? 1 : 0;
  Mat<S> w(net.width(l), net.width(l - 1) + beta);
  for (int j = 0; j < net.width(l); ++j) {
    for (int k = 0; k < net.width(l - 1) + beta; ++k) w(j, k) = theta(net.augmented_index(l, j, k));
  }
  return w;
}

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
  const std::vector<S> coeffs = activation_coefficients<S>(net.activation);
  Forward<S> f;
  f.w.resize(static_cast<std::size_t>(L + 1));
  f.at.resize(static_cast<std::size_t>(L));
  f.z.resize(static_cast<std::size_t>(L + 1));
  f.d1.resize(static_cast<std::size_t>(L));
  f.d2.resize(static_cast<std::size_t>(L));
  f.d3.resize(static_cast<std::size_t>(L));
  f.at[0] = augment<S>(x, net.bias, S(1));
  for (int l = 1; l <= L; ++l) {
    const auto ul = static_cast<std::size_t>(l);
    f.w[ul] = layer_matrix<S>(net, theta, l);
    f.z[ul] = f.at[ul - 1] * f.w[ul].transpose();
    if (l == L) break;
    const int nl = net.width(l);
    Mat<S> a(n, nl);
    if (order >= 1) f.d1[ul].resize(n, nl);
    if (order >= 2) f.d2[ul].resize(n, nl);
    if (order >= 3) f.d3[ul].resize(n, nl);
    S d[4] = {S(0), S(0), S(0), S(0)};
    for (Eigen::Index j = 0; j < nl; ++j) {
      for (Eigen::Index i = 0; i < n; ++i) {
        const S& zij = f.z[ul](i, j);
        const ActivationStatus st = activation_eval<S>(net.activation, coeffs, zij, order, d);
        if (st != ActivationStatus::Ok) {
          const std::string where = fmt::format(
              "layer {}, unit {}, sample {}", l, static_cast<long>(j), static_cast<long>(i));
          if (st == ActivationStatus::Kink) {
            throw NotDifferentiable(fmt::format(
                "relu pre-activation z = 0 exactly at {}: the loss is not differentiable there",
                where));
          }
          if (st == ActivationStatus::Undecided) {
            throw NotDifferentiable(fmt::format(
                "relu pre-activation z = {} at {} contains 0 in {}: cannot decide the side of the "
                "kink (increase the precision)",
                describe_value(zij),
                where,
                ScalarTraits<S>::name()));
          }
          throw UnsupportedScalar(
              fmt::format("{}(z) at z = {} ({}) has no exact value in the arithmetic {} (exact "
                          "only at z = 0 for "
                          "sigmoid and tanh); use mpfr:BITS or ball:BITS",
                          net.activation.name(),
                          describe_value(zij),
                          where,
                          ScalarTraits<S>::name()));
        }
        a(i, j) = d[0];
        if (order >= 1) f.d1[ul](i, j) = d[1];
        if (order >= 2) f.d2[ul](i, j) = d[2];
        if (order >= 3) f.d3[ul](i, j) = d[3];
      }
    }
    f.at[ul] = augment<S>(a, net.bias, S(1));
  }
  return f;
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
        "cross_entropy needs exp and log, which the arithmetic {} does not have; use mpfr:BITS or "
        "ball:BITS",
        ScalarTraits<S>::name()));
  } else {
    using std::exp, std::log;
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
        out.p(i, c) = exp(f(i, c) - shift);
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
/// Σ_c y_c, which is 1 for valid targets).
template <class S>
Mat<S> apply_lambda(const Network& net, const OutputTerms<S>& t, const Mat<S>& y, const Mat<S>& v) {
  if (net.loss == LossKind::Squared) return v;
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
    b.back[ul] = b.delta[ul + 1] * f.w[ul + 1].leftCols(net.width(l));
    b.delta[ul] = f.d1[ul].cwiseProduct(b.back[ul]);
  }
  return b;
}

template <class S>
S mean_factor(const Network& net, Eigen::Index n) {
  const S c = net.loss_scale == 1 ? S(1) : ScalarTraits<S>::from_rational(net.loss_scale);
  return net.reduction == Reduction::Mean ? c / S(static_cast<long>(n)) : c;
}

}  // namespace detail

template <class Scalar>
LossFunction<Scalar>::LossFunction(Network network, const Dataset& data)
    : network_(std::move(network)) {
  network_.validate();
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
Mat<Scalar> LossFunction<Scalar>::outputs(const Vec<Scalar>& theta) const {
  detail::check_length(network_, theta, "theta");
  auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  return f.z[static_cast<std::size_t>(network_.num_layers())];
}

template <class Scalar>
Scalar LossFunction<Scalar>::loss(const Vec<Scalar>& theta) const {
  detail::check_length(network_, theta, "theta");
  const auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  const auto t = detail::output_terms<Scalar>(
      network_, f.z[static_cast<std::size_t>(network_.num_layers())], y_);
  return t.loss * detail::mean_factor<Scalar>(network_, x_.rows());
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::residuals(const Vec<Scalar>& theta) const {
  detail::check_length(network_, theta, "theta");
  const auto f = detail::forward<Scalar>(network_, x_, theta, 0);
  return detail::output_terms<Scalar>(
             network_, f.z[static_cast<std::size_t>(network_.num_layers())], y_)
      .e;
}

template <class Scalar>
Vec<Scalar> LossFunction<Scalar>::gradient(const Vec<Scalar>& theta, Scalar* loss) const {
  detail::check_length(network_, theta, "theta");
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
  if (loss != nullptr) *loss = t.loss * scale;
  return g * scale;
}

template <class Scalar>
LayerTerms<Scalar> LossFunction<Scalar>::layer_terms(const Vec<Scalar>& theta, int l) const {
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
Vec<Scalar> LossFunction<Scalar>::hessian_vector_product(const Vec<Scalar>& theta,
                                                         const Vec<Scalar>& v,
                                                         HessianPart part) const {
  using S = Scalar;
  detail::check_length(network_, theta, "theta");
  detail::check_length(network_, v, "v");
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
  return out * detail::mean_factor<S>(network_, n);
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::hessian(const Vec<Scalar>& theta, HessianPart part) const {
  using S = Scalar;
  detail::check_length(network_, theta, "theta");
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
  for (int m = L - 1; m >= 1; --m) {
    const auto um = static_cast<std::size_t>(m);
    const Eigen::Index nm = width(m), nn = width(m + 1);
    const Mat<S> w = f.w[um + 1].leftCols(nm);  // n_{m+1} x n_m
    const Mat<S>& wd = bp.back[um];             // rows: W_{m+1}ᵀ δ_{m+1}
    K[um].resize(nm * nm, n);
    const int bits = ball_precision();
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (Eigen::Index i = 0; i < n; ++i) {
      ScopedBallPrecision precision(bits);
      CMap kn(K[um + 1].col(i).data(), nn, nn);
      Map k(K[um].col(i).data(), nm, nm);
      detail::gemm<S>(k, w, true, detail::product<S>(kn, false, w));
      for (Eigen::Index a = 0; a < nm; ++a) {
        for (Eigen::Index b = 0; b < nm; ++b) k(a, b) = k(a, b) * f.d1[um](i, a) * f.d1[um](i, b);
      }
      if (with_h) {
        for (Eigen::Index a = 0; a < nm; ++a) k(a, a) += f.d2[um](i, a) * wd(i, a);
      }
    }
  }

  Mat<S> hess(P, P);
  auto set_symmetric = [&hess](Eigen::Index row, Eigen::Index col, const S& value) {
    hess(row, col) = value;
    hess(col, row) = value;
  };
  const S scale = detail::mean_factor<S>(network_, n);
  const int ball_bits = ball_precision();
  // T[l] = T_{m,l} = ∂z_m/∂z_l per sample ((n_m*n_l) x N), for l < m; updated as m grows.
  std::vector<Mat<S>> T(static_cast<std::size_t>(L + 1));
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
        Mat<S>& sp = S_prev[ul];
        sp.resize(np * nl, n);
        for (Eigen::Index i = 0; i < n; ++i) {
          Map s(sp.col(i).data(), np, nl);
          if (l == m - 1) {
            s.setZero();
            for (Eigen::Index q = 0; q < np; ++q) s(q, q) = f.d1[um - 1](i, q);
          } else {
            CMap tprev(T[ul].col(i).data(), np, nl);
            for (Eigen::Index q = 0; q < np; ++q) s.row(q) = tprev.row(q) * f.d1[um - 1](i, q);
          }
        }
        Mat<S> tn(nm * nl, n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (Eigen::Index i = 0; i < n; ++i) {
          ScopedBallPrecision precision(ball_bits);
          CMap s(sp.col(i).data(), np, nl);
          Map tt(tn.col(i).data(), nm, nl);
          detail::gemm<S>(tt, w, false, s);
        }
        T[ul] = std::move(tn);
      }
    }
    const Mat<S>& am = f.at[um - 1];  // N x (n_{m-1} + β)
    const Eigen::Index qm = am.cols();
    for (int l = 1; l <= m; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      const Eigen::Index nl = width(l);
      // C_{m,l} = K_m T_{m,l} per sample (n_m x n_l); C_{m,m} = K_m.
      Mat<S> c_own;
      const Mat<S>* c = &K[um];
      if (l < m) {
        c_own.resize(nm * nl, n);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
        for (Eigen::Index i = 0; i < n; ++i) {
          ScopedBallPrecision precision(ball_bits);
          CMap k(K[um].col(i).data(), nm, nm);
          CMap tt(T[ul].col(i).data(), nm, nl);
          Map cc(c_own.col(i).data(), nm, nl);
          detail::gemm<S>(cc, k, false, tt);
        }
        c = &c_own;
      }
      const bool second = with_h && l < m;
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
      Mat<S> v(n, ncols);
      for (Eigen::Index col_idx = 0; col_idx < ncols; ++col_idx) {
        v.col(col_idx) = am.col(pairs[static_cast<std::size_t>(col_idx)].first)
                             .cwiseProduct(al.col(pairs[static_cast<std::size_t>(col_idx)].second));
      }
      // Units p are processed in chunks so that the δ-term GEMM packs S_{m-1,l} once per chunk.
      const Eigen::Index chunk = std::min<Eigen::Index>(nm, 8);
      const Eigen::Index num_chunks = (nm + chunk - 1) / chunk;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic)
#endif
      for (Eigen::Index ci = 0; ci < num_chunks; ++ci) {
        ScopedBallPrecision precision(ball_bits);
        const Eigen::Index p0 = ci * chunk;
        const Eigen::Index p1 = std::min(nm, p0 + chunk);
        Mat<S> term2;  // ((q, j), (p - p0, k)) = Σ_i S_i[q, j] δ_i[p] ã_{l-1,i}[k]
        if (second) {
          Mat<S> scaled(n, kl * (p1 - p0));
          for (Eigen::Index pp = p0; pp < p1; ++pp) {
            for (Eigen::Index k = 0; k < kl; ++k) {
              scaled.col((pp - p0) * kl + k) = al.col(k).cwiseProduct(delta[um].col(pp));
            }
          }
          term2 = detail::product<S>(S_prev[ul], false, scaled);
        }
        // One GEMM for the chunk: rows (p, j) with j < nj(p) (diagonal block: j <= p), columns
        // (q, k): Σ_i C_i[p, j] ã_{m-1,i}[q] ã_{l-1,i}[k].
        std::vector<Eigen::Index> row0(static_cast<std::size_t>(p1 - p0) + 1, 0);
        for (Eigen::Index p = p0; p < p1; ++p) {
          row0[static_cast<std::size_t>(p - p0 + 1)] =
              row0[static_cast<std::size_t>(p - p0)] + (diagonal ? p + 1 : nl);
        }
        Mat<S> ut(row0.back(), n);
        for (Eigen::Index p = p0; p < p1; ++p) {
          const Eigen::Index r0 = row0[static_cast<std::size_t>(p - p0)];
          for (Eigen::Index j = 0; j < (diagonal ? p + 1 : nl); ++j)
            ut.row(r0 + j) = c->row(p + j * nm);
        }
        const Mat<S> first_all = detail::product<S>(ut, false, v);
        for (Eigen::Index p = p0; p < p1; ++p) {
          const Eigen::Index nj = diagonal ? p + 1 : nl;  // diagonal block: units j <= p
          const auto first = first_all.middleRows(row0[static_cast<std::size_t>(p - p0)], nj);
          for (Eigen::Index j = 0; j < nj; ++j) {
            for (Eigen::Index col_idx = 0; col_idx < ncols; ++col_idx) {
              const auto [q, k] = pairs[static_cast<std::size_t>(col_idx)];
              S value = first(j, col_idx);
              if (second && q < np) value += term2(q + j * np, (p - p0) * kl + k);
              value = value * scale;
              const auto row =
                  network_.augmented_index(m, static_cast<int>(p), static_cast<int>(q));
              const auto col =
                  network_.augmented_index(l, static_cast<int>(j), static_cast<int>(k));
              set_symmetric(row, col, value);
              if (diagonal) {  // the same number for the pair (q <-> k)
                set_symmetric(network_.augmented_index(m, static_cast<int>(p), static_cast<int>(k)),
                              network_.augmented_index(l, static_cast<int>(j), static_cast<int>(q)),
                              value);
              }
            }
          }
        }
      }
    }
  }
  return hess;
}

template <class Scalar>
Mat<Scalar> LossFunction<Scalar>::output_jacobian(const Vec<Scalar>& theta) const {
  using S = Scalar;
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
Scalar LossFunction<Scalar>::third_derivative(const Vec<Scalar>& theta,
                                              const Vec<Scalar>& u) const {
  using S = Scalar;
  detail::check_length(network_, theta, "theta");
  detail::check_length(network_, u, "u");
  const int L = network_.num_layers();
  const Eigen::Index n = x_.rows();
  const std::vector<S> coeffs = detail::activation_coefficients<S>(network_.activation);
  // Taylor coefficients (degree 0..3) of the augmented activations along θ + t u.
  std::array<Mat<S>, 4> a;
  a[0] = detail::augment<S>(x_, network_.bias, S(1));
  for (int r = 1; r < 4; ++r) a[static_cast<std::size_t>(r)] = Mat<S>::Zero(n, a[0].cols());
  std::array<Mat<S>, 4> z;
  for (int l = 1; l <= L; ++l) {
    const Mat<S> w = detail::layer_matrix<S>(network_, theta, l);
    const Mat<S> du = detail::layer_matrix<S>(network_, u, l);
    z[0] = a[0] * w.transpose();
    for (std::size_t r = 1; r < 4; ++r) z[r] = a[r] * w.transpose() + a[r - 1] * du.transpose();
    if (l == L) break;
    const Eigen::Index nl = network_.width(l);
    for (auto& m : a) m.resize(n, nl + (network_.bias ? 1 : 0));
    S d[4] = {S(0), S(0), S(0), S(0)};
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < nl; ++j) {
        const auto st = detail::activation_eval<S>(network_.activation, coeffs, z[0](i, j), 3, d);
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
      if (network_.bias) {
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

}  // namespace locus

#define LOCUS_DERIVATIVES_INSTANTIATE(Scalar) template class locus::LossFunction<Scalar>;
