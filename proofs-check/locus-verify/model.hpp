// locus-verify: the loss of a fully connected network, its gradient by backpropagation, and its
// Hessian one column at a time (backpropagation on dual numbers), generic over the number type.
// Written to be read against docs/certificates.md, not for speed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "numbers.hpp"

namespace verify {

/// σ of one hidden layer. Names as in locus-problem/1 (docs/interfaces.md).
struct Activation {
  std::string kind;  // sigmoid tanh softplus identity relu leaky_relu elu gelu gelu_tanh erf
                     // silu polynomial
  Q parameter{1};    // softplus β, leaky_relu slope, elu α
  std::vector<Q> coefficients;  // polynomial: σ(z) = Σ c_k z^k
};

struct Model {
  std::vector<int> widths;              // n_0 … n_L
  std::vector<Activation> activations;  // one per hidden layer (L − 1)
  std::vector<bool> biases;             // one per weight layer (L)
  std::string loss = "squared";         // squared | cross_entropy | binary_cross_entropy
  bool mean = false;                    // reduction: sum or mean over the samples
  Q loss_scale{1};
  Q l2{0};
  bool l2_weights_only = false;
  std::vector<std::vector<Q>> inputs, targets;  // N rows each

  [[nodiscard]] int layers() const { return static_cast<int>(widths.size()) - 1; }
  /// Index of W_l[j, k] (k = n_{l-1}: the bias b_l[j]); layer l's weights row by row, then its
  /// biases.
  [[nodiscard]] std::size_t index(int l, int j, int k) const {
    std::size_t offset = 0;
    for (int m = 1; m < l; ++m) offset += static_cast<std::size_t>(width(m) * columns(m));
    if (k < width(l - 1)) return offset + static_cast<std::size_t>(j * width(l - 1) + k);
    return offset + static_cast<std::size_t>(width(l) * width(l - 1) + j);
  }
  [[nodiscard]] int width(int l) const { return widths[static_cast<std::size_t>(l)]; }
  [[nodiscard]] int columns(int l) const {
    return width(l - 1) + (biases[static_cast<std::size_t>(l - 1)] ? 1 : 0);
  }
  [[nodiscard]] std::size_t parameters() const {
    std::size_t p = 0;
    for (int l = 1; l <= layers(); ++l) p += static_cast<std::size_t>(width(l) * columns(l));
    return p;
  }
  [[nodiscard]] bool is_bias(std::size_t index_in_theta) const {
    std::size_t offset = 0;
    for (int l = 1; l <= layers(); ++l) {
      const auto weights = static_cast<std::size_t>(width(l) * width(l - 1));
      const auto size = static_cast<std::size_t>(width(l) * columns(l));
      if (index_in_theta < offset + size) return index_in_theta >= offset + weights;
      offset += size;
    }
    return false;
  }
};

// ---- constants in any number type -----------------------------------------------------------
template <class T>
struct Lift {
  static T from(const Q& q) { return T(q); }
};
template <>
struct Lift<Q> {
  static Q from(const Q& q) { return q; }
};
template <class T>
struct Lift<Dual<T>> {
  static Dual<T> from(const Q& q) { return {Lift<T>::from(q), T(0)}; }
};
template <class T>
T lift(const Q& q) {
  return Lift<T>::from(q);
}

template <class T>
T sqrt_two_over_pi(const T& like) {
  return sqrt(T(2) / pi_of(like));
}
template <class T>
T logistic(const T& z) {
  return T(1) / (T(1) + exp(-z));
}

/// σ(z) and its derivatives of order 1 to 3 for T = Q or B (order 3 for the polynomial,
/// piecewise-linear, elu, sigmoid and tanh kinds only). Rationals: exact where the value is a
/// rational (polynomials, the piecewise-linear kinds off their kink, and the listed values at 0);
/// anything else is rejected by the elementary functions of numbers.hpp.
template <class T>
T activation(const Activation& s, const T& z, int order) {
  const std::string& k = s.kind;
  if (k == "identity") return order == 0 ? z : T(order == 1 ? 1 : 0);
  if (k == "polynomial") {
    // Horner on the order-th derivative's coefficients c_k k!/(k - order)!
    T out(0);
    for (std::size_t i = s.coefficients.size(); i-- > static_cast<std::size_t>(order);) {
      Q c = s.coefficients[i];
      for (int d = 0; d < order; ++d) c = c * Q(static_cast<long>(i) - d);
      out = out * z + lift<T>(c);
    }
    return out;
  }
  if (k == "relu" || k == "leaky_relu" || k == "elu") {
    const int sign = certain_sign(z);
    if (sign == 0) throw Reject(k + " at a pre-activation that may be 0 (its kink)");
    if (sign > 0) return order == 0 ? z : T(order == 1 ? 1 : 0);
    if (k == "relu") return T(0);
    const T a = lift<T>(s.parameter);
    if (k == "leaky_relu") return order == 0 ? a * z : (order == 1 ? a : T(0));
    const T e = exp(z);
    return order == 0 ? a * (e - T(1)) : a * e;
  }
  const bool zero = is_exact_zero(z);
  if (order == 3) {        // only what the third-order facts need
    if (k == "sigmoid") {  // third derivative σ'(1 − 6σ + 6σ²); at 0: −1/8
      if (zero) return lift<T>(Q(-1) / Q(8));
      const T v = logistic(z);
      return v * (T(1) - v) * (T(1) - T(6) * v + T(6) * v * v);
    }
    if (k == "tanh") {  // third derivative (1 − t²)(6t² − 2); at 0: −2
      if (zero) return T(-2);
      const T t = tanh(z);
      return (T(1) - t * t) * (T(6) * t * t - T(2));
    }
    throw Reject("the third derivative of '" + k + "' is not supported by the checker");
  }
  if (k == "sigmoid") {
    if (zero) return order == 0 ? lift<T>(Q(1) / Q(2)) : (order == 1 ? lift<T>(Q(1) / Q(4)) : T(0));
    const T v = logistic(z);
    const T d = v * (T(1) - v);
    return order == 0 ? v : (order == 1 ? d : d * (T(1) - T(2) * v));
  }
  if (k == "tanh") {
    if (zero) return T(order == 1 ? 1 : 0);
    const T t = tanh(z);
    const T d = T(1) - t * t;
    return order == 0 ? t : (order == 1 ? d : T(-2) * t * d);
  }
  if (k == "silu") {
    if (zero) return order == 0 ? T(0) : lift<T>(Q(1) / Q(2));
    const T v = logistic(z);
    const T d = v * (T(1) - v);
    return order == 0 ? z * v : (order == 1 ? v + z * d : d * (T(2) + z * (T(1) - T(2) * v)));
  }
  if (k == "softplus") {
    const T beta = lift<T>(s.parameter);
    const T v = logistic(beta * z);
    if (order == 0) return log1p(exp(beta * z)) / beta;
    return order == 1 ? v : beta * v * (T(1) - v);
  }
  if (k == "erf") {  // erf(z/√2)
    if (zero && order == 0) return T(0);
    const T c = sqrt_two_over_pi(z);
    if (order == 0) return erf(z * c * sqrt(pi_of(z)) / T(2));  // z/√2 = z·√(2/π)·√π/2
    const T d = c * exp(-(z * z) / T(2));
    return order == 1 ? d : -(z * d);
  }
  if (k == "gelu") {  // z Φ(z)
    if (zero && order < 2) return order == 0 ? T(0) : lift<T>(Q(1) / Q(2));
    const T c = sqrt_two_over_pi(z);
    const T phi = c * exp(-(z * z) / T(2)) / T(2);  // e^{-z²/2}/√(2π)
    const T cdf = (T(1) + erf(z * c * sqrt(pi_of(z)) / T(2))) / T(2);
    return order == 0 ? z * cdf : (order == 1 ? cdf + z * phi : phi * (T(2) - z * z));
  }
  if (k == "gelu_tanh") {  // ½ z (1 + tanh(c (z + κ z³))), κ = 0.044715
    if (zero && order < 2) return order == 0 ? T(0) : lift<T>(Q(1) / Q(2));
    const T c = sqrt_two_over_pi(z);
    const T kappa = lift<T>(Q(44715) / Q(1000000));
    const T t = tanh(c * (z + kappa * z * z * z));
    const T du = c * (T(1) + T(3) * kappa * z * z);
    const T ddu = c * T(6) * kappa * z;
    const T sech2 = T(1) - t * t;
    if (order == 0) return z * (T(1) + t) / T(2);
    if (order == 1) return (T(1) + t) / T(2) + z * sech2 * du / T(2);
    return sech2 * du + z * (sech2 * ddu - T(2) * t * sech2 * du * du) / T(2);
  }
  throw Reject("activation '" + k + "' is not supported by the checker");
}

/// Dual numbers: σ^(order)(a + bε) = σ^(order)(a) + σ^(order+1)(a)·b ε.
template <class T>
Dual<T> activation(const Activation& s, const Dual<T>& z, int order) {
  return {activation(s, z.a, order), activation(s, z.a, order + 1) * z.b};
}
template <class T>
T log(const T& x) {
  return log1p(x - T(1));
}

/// ℓ(f, y) of one sample and ∂ℓ/∂f.
template <class T>
T sample_loss(const Model& m, const std::vector<T>& f, const std::vector<T>& y, std::vector<T>& g) {
  const std::size_t n = f.size();
  g.assign(n, T(0));
  T loss(0);
  if (m.loss == "squared") {  // ½ Σ (f − y)²
    for (std::size_t c = 0; c < n; ++c) {
      g[c] = f[c] - y[c];
      loss = loss + g[c] * g[c] / T(2);
    }
    return loss;
  }
  if (m.loss == "binary_cross_entropy") {  // Σ log(1 + e^f) − y f
    for (std::size_t c = 0; c < n; ++c) {
      loss = loss + log1p(exp(f[c])) - y[c] * f[c];
      g[c] = logistic(f[c]) - y[c];
    }
    return loss;
  }
  if (m.loss == "cross_entropy") {  // Σ_c y_c (log Σ_d e^{f_d} − f_c)
    T total(0), ysum(0);
    for (std::size_t c = 0; c < n; ++c) {
      total = total + exp(f[c]);
      ysum = ysum + y[c];
    }
    const T lse = log(total);
    for (std::size_t c = 0; c < n; ++c) {
      loss = loss + y[c] * (lse - f[c]);
      g[c] = ysum * exp(f[c]) / total - y[c];
    }
    return loss;
  }
  throw Reject("loss '" + m.loss + "' is not supported by the checker");
}

/// L(θ) and, when grad is given, ∇L(θ), by backpropagation sample by sample.
template <class T>
T loss_and_gradient(const Model& m, const std::vector<T>& theta, std::vector<T>* grad) {
  const int L = m.layers();
  if (grad != nullptr) grad->assign(theta.size(), T(0));
  T total(0);
  for (std::size_t i = 0; i < m.inputs.size(); ++i) {
    // forward: a_0 = x, z_l = W_l a_{l-1} + b_l, a_l = σ_l(z_l) (l < L), f = z_L
    std::vector<std::vector<T>> a(static_cast<std::size_t>(L) + 1), z(a.size());
    for (const Q& x : m.inputs[i]) a[0].push_back(lift<T>(x));
    for (int l = 1; l <= L; ++l) {
      const auto ul = static_cast<std::size_t>(l);
      for (int j = 0; j < m.width(l); ++j) {
        T s(0);
        for (int k = 0; k < m.columns(l); ++k) {
          const T input = k < m.width(l - 1) ? a[ul - 1][static_cast<std::size_t>(k)] : T(1);
          s = s + theta[m.index(l, j, k)] * input;
        }
        z[ul].push_back(s);
        if (l < L) a[ul].push_back(activation(m.activations[ul - 1], s, 0));
      }
    }
    std::vector<T> y, delta;
    for (const Q& t : m.targets[i]) y.push_back(lift<T>(t));
    total = total + sample_loss(m, z[static_cast<std::size_t>(L)], y, delta);
    if (grad == nullptr) continue;
    // backward: δ_L = ∂ℓ/∂f, ∂ℓ/∂W_l[j,k] = δ_l[j] a_{l-1}[k], δ_{l-1} = σ'(z_{l-1}) ⊙ W_lᵀ δ_l
    for (int l = L; l >= 1; --l) {
      const auto ul = static_cast<std::size_t>(l);
      for (int j = 0; j < m.width(l); ++j) {
        for (int k = 0; k < m.columns(l); ++k) {
          const T input = k < m.width(l - 1) ? a[ul - 1][static_cast<std::size_t>(k)] : T(1);
          T& gk = (*grad)[m.index(l, j, k)];
          gk = gk + delta[static_cast<std::size_t>(j)] * input;
        }
      }
      if (l == 1) break;
      std::vector<T> previous;
      for (int k = 0; k < m.width(l - 1); ++k) {
        T s(0);
        for (int j = 0; j < m.width(l); ++j) {
          s = s + theta[m.index(l, j, k)] * delta[static_cast<std::size_t>(j)];
        }
        previous.push_back(
            activation(m.activations[ul - 2], z[ul - 1][static_cast<std::size_t>(k)], 1) * s);
      }
      delta = std::move(previous);
    }
  }
  // L = c Σ ℓ_i (or c/N Σ ℓ_i) + λ Σ θ_k² over the L2 scope
  Q scale = m.loss_scale;
  if (m.mean) scale = scale / Q(static_cast<long>(m.inputs.size()));
  const T c = lift<T>(scale);
  const T l2 = lift<T>(m.l2);
  total = total * c;
  for (std::size_t k = 0; k < theta.size(); ++k) {
    const bool in_scope = m.l2.sign() != 0 && !(m.l2_weights_only && m.is_bias(k));
    if (grad != nullptr) (*grad)[k] = (*grad)[k] * c;
    if (!in_scope) continue;
    total = total + l2 * theta[k] * theta[k];
    if (grad != nullptr) (*grad)[k] = (*grad)[k] + T(2) * l2 * theta[k];
  }
  return total;
}

/// ∇²L(θ), column j = the derivative of ∇L along e_j (dual numbers).
template <class T>
std::vector<std::vector<T>> hessian(const Model& m, const std::vector<T>& theta) {
  const std::size_t p = theta.size();
  std::vector<std::vector<T>> h(p, std::vector<T>(p, T(0)));
  std::vector<Dual<T>> point(p);
  std::vector<Dual<T>> grad;
  for (std::size_t j = 0; j < p; ++j) {
    for (std::size_t k = 0; k < p; ++k) point[k] = Dual<T>(theta[k], T(k == j ? 1 : 0));
    loss_and_gradient(m, point, &grad);
    for (std::size_t k = 0; k < p; ++k) h[k][j] = grad[k].b;
  }
  return h;
}

}  // namespace verify
