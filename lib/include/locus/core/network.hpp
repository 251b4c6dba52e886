// locus/core/network.hpp: fully connected networks, their activations and losses
// (docs/interfaces.md, docs/derivatives.md).
//
// Widths n_0 (input), n_1 .. n_{L-1} (hidden), n_L (output); L weight layers. For an input x:
//   a^(0) = x,   z^(l) = W_l a^(l-1) + beta b_l,   a^(l) = sigma(z^(l)) (1 <= l <= L-1),   f =
//   z^(L).
// The output layer is linear. The parameter vector is, normatively (docs/interfaces.md (parameter order)),
//   theta = (vec_r(W_1), b_1, vec_r(W_2), b_2, ..., vec_r(W_L), b_L)
// with W_l row-major (n_l x n_{l-1}) and the b_l blocks absent without biases.
//
// Losses, per sample: squared ½‖f − y‖² (Λ = I), or softmax cross-entropy −Σ_c y_c log softmax(f)_c
// with probability-vector targets (Λ = diag(p) − p pᵀ). Reduction: sum (default) or mean (divides
// L, ∇L and ∇²L by N).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "locus/scalar/rational.hpp"

namespace locus {

/// The activation families.
enum class ActivationKind { Sigmoid, Tanh, Softplus, Identity, Relu, Polynomial };

/// An activation function σ with its first three derivatives available in every arithmetic.
struct Activation {
  ActivationKind kind = ActivationKind::Sigmoid;
  /// σ(z) = Σ_k coefficients[k] z^k, for ActivationKind::Polynomial only (exact rationals).
  std::vector<Rational> coefficients;

  /// "sigmoid", "tanh", "softplus", "identity", "relu" or "polynomial[c0, c1, ...]".
  [[nodiscard]] std::string name() const;
  /// True when σ is odd (tanh, identity, odd polynomials): then σ(0) = 0.
  [[nodiscard]] bool vanishes_at_zero() const;

  static Activation sigmoid() { return {ActivationKind::Sigmoid, {}}; }
  static Activation tanh() { return {ActivationKind::Tanh, {}}; }
  static Activation softplus() { return {ActivationKind::Softplus, {}}; }
  static Activation identity() { return {ActivationKind::Identity, {}}; }
  static Activation relu() { return {ActivationKind::Relu, {}}; }
  /// \throws InvalidArgument if `coefficients` is empty.
  static Activation polynomial(std::vector<Rational> coefficients);
  /// Parses "sigmoid", "tanh", "softplus", "identity", "relu".
  /// \throws InvalidArgument naming the text and the accepted names.
  static Activation from_name(const std::string& name);

  friend bool operator==(const Activation&, const Activation&) = default;
};

/// ℓ(f, y): ½‖f − y‖², or the cross-entropy of softmax(f) against the probability vector y.
enum class LossKind { Squared, CrossEntropy };
/// L = c·Σ_i ℓ_i (Sum) or c·(1/N)·Σ_i ℓ_i (Mean).
enum class Reduction { Sum, Mean };

/// "squared" / "cross_entropy", the problem-file names. Does not throw.
std::string to_string(LossKind loss);
/// "sum" / "mean", the problem-file names. Does not throw.
std::string to_string(Reduction reduction);

/// The architecture and the loss: everything but the data and the point.
struct Network {
  std::vector<int> widths;  ///< n_0, ..., n_L (at least two entries, all >= 1)
  Activation activation;
  bool bias = true;
  LossKind loss = LossKind::Squared;
  Reduction reduction = Reduction::Sum;
  /// A positive constant c multiplying the loss (default 1): L = c·Σ_i ℓ_i, or c·(1/N)·Σ_i ℓ_i.
  /// It lets a problem state another library's convention exactly, e.g. PyTorch's MSELoss
  /// (mean over N·n_L entries of (f − y)²) is c = 2/n_L with the mean reduction.
  Rational loss_scale{1};

  /// Number of weight layers L.
  [[nodiscard]] int num_layers() const { return static_cast<int>(widths.size()) - 1; }
  /// n_l.
  [[nodiscard]] int width(int l) const { return widths[static_cast<std::size_t>(l)]; }
  /// P = Σ_l n_l (n_{l-1} + β). Precondition: widths valid (validate()).
  [[nodiscard]] std::ptrdiff_t num_parameters() const;
  /// o_l: index in θ of W_l[0, 0] (layers are 1-based, as in docs/interfaces.md).
  /// Precondition: 1 <= l <= L (LOCUS_ASSERT).
  [[nodiscard]] std::ptrdiff_t layer_offset(int l) const;
  /// Index in θ of W_l[j, k] (0-based j, k).
  [[nodiscard]] std::ptrdiff_t weight_index(int l, int j, int k) const {
    return layer_offset(l) + static_cast<std::ptrdiff_t>(j) * width(l - 1) + k;
  }
  /// Index in θ of b_l[j]. Precondition: bias.
  [[nodiscard]] std::ptrdiff_t bias_index(int l, int j) const {
    return layer_offset(l) + static_cast<std::ptrdiff_t>(width(l)) * width(l - 1) + j;
  }
  /// Index of the augmented weight W̃_l[j, k] = [W_l, b_l][j, k]: k = n_{l-1} is the bias.
  [[nodiscard]] std::ptrdiff_t augmented_index(int l, int j, int k) const {
    return k < width(l - 1) ? weight_index(l, j, k) : bias_index(l, j);
  }

  /// Checks widths (>= 2 entries, each >= 1), the polynomial, and cross-entropy's n_L >= 2.
  /// \throws InvalidArgument naming the field and the expectation.
  void validate() const;
  /// "[1, 2, 1] sigmoid, bias, squared/sum".
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const Network&, const Network&) = default;
};

/// The degree in θ of the loss when it is a polynomial in θ (identity or polynomial activations
/// with the squared loss): 2·d with d = k·d' + 1 per layer for an activation of degree k. Empty
/// for every other network (sigmoid, tanh, softplus, ReLU, cross-entropy). Does not throw.
std::optional<int> polynomial_loss_degree(const Network& net);

}  // namespace locus
