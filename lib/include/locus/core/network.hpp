// locus/core/network.hpp: fully connected networks, their activations and losses
// (docs/interfaces.md, docs/derivatives.md).
//
// Widths n_0 (input), n_1 .. n_{L-1} (hidden), n_L (output); L weight layers. For an input x:
//   a^(0) = x,   z^(l) = W_l a^(l-1) + β_l b_l,   a^(l) = σ_l(z^(l)) (1 <= l <= L-1),   f = z^(L).
// Each hidden layer has its own activation σ_l and each weight layer its own bias flag β_l (by
// default one activation and one flag for all, as in locus-problem/1). The output layer is affine;
// the output activation is folded into the loss (identity + squared, softmax + cross-entropy,
// sigmoid + binary cross-entropy). The parameter vector is, normatively (docs/interfaces.md
// (parameter order)),
//   theta = (vec_r(W_1), b_1, vec_r(W_2), b_2, ..., vec_r(W_L), b_L)
// with W_l row-major (n_l x n_{l-1}) and the block b_l absent when layer l has no bias.
//
// Losses, per sample: squared ½‖f − y‖² (Λ = I); softmax cross-entropy −Σ_c y_c log softmax(f)_c
// with probability-vector targets (Λ = diag(p) − p pᵀ); binary cross-entropy with logits
// Σ_c [log(1 + e^{f_c}) − y_c f_c] with targets in [0, 1] (Λ = diag(s(1 − s)), s = sigmoid(f)).
// Reduction: sum (default) or mean (divides the data term by N). An optional exact L2 term
// c·Σ θ_k² (over every parameter, or over the weights only) is added after the reduction and the
// loss scale (docs/derivatives.md).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "locus/scalar/rational.hpp"

namespace locus {

/// The activation families.
enum class ActivationKind {
  Sigmoid,
  Tanh,
  Softplus,  ///< log(1 + e^{βz})/β, β = parameter (1 by default)
  Identity,
  Relu,
  Polynomial,
  Gelu,       ///< z·Φ(z), Φ the standard normal distribution function (erf form)
  GeluTanh,   ///< ½ z (1 + tanh(√(2/π)(z + 0.044715 z³))), PyTorch's approximate="tanh"
  Erf,        ///< erf(z/√2), the "erf sigmoid" of Saad and Solla
  Silu,       ///< z·sigmoid(z) (swish)
  LeakyRelu,  ///< z for z > 0, a·z for z < 0, a = parameter (exact)
  Elu  ///< z for z > 0, α(e^z − 1) for z < 0, α = parameter; not twice differentiable at 0
};

/// An activation function σ with its first three derivatives available in every arithmetic.
struct Activation {
  ActivationKind kind = ActivationKind::Sigmoid;
  /// σ(z) = Σ_k coefficients[k] z^k, for ActivationKind::Polynomial only (exact rationals).
  std::vector<Rational> coefficients;
  /// The exact parameter of softplus (β > 0), leaky ReLU (the slope a) and ELU (α > 0); 1 for
  /// every other kind.
  Rational parameter{1};

  /// The problem-file name: "sigmoid", "tanh", "softplus", "identity", "relu", "gelu",
  /// "gelu_tanh", "erf", "silu", "leaky_relu(a)", "elu", with "(p)" after softplus and elu when
  /// the parameter is not 1, or "polynomial[c0, c1, ...]".
  [[nodiscard]] std::string name() const;
  /// True when σ(0) = 0 exactly (every kind but sigmoid, softplus and polynomials with c0 ≠ 0).
  [[nodiscard]] bool vanishes_at_zero() const;
  /// True for the piecewise kinds (relu, leaky_relu, elu): a pre-activation at 0 is reported.
  [[nodiscard]] bool has_kink() const;
  /// True when σ(cz) = c·σ(z) for c > 0 (identity, relu, leaky_relu): the rescaling symmetry.
  [[nodiscard]] bool positively_homogeneous() const;

  static Activation sigmoid() { return {ActivationKind::Sigmoid, {}}; }
  static Activation tanh() { return {ActivationKind::Tanh, {}}; }
  static Activation softplus() { return {ActivationKind::Softplus, {}}; }
  static Activation identity() { return {ActivationKind::Identity, {}}; }
  static Activation relu() { return {ActivationKind::Relu, {}}; }
  static Activation gelu() { return {ActivationKind::Gelu, {}}; }
  static Activation gelu_tanh() { return {ActivationKind::GeluTanh, {}}; }
  static Activation erf() { return {ActivationKind::Erf, {}}; }
  static Activation silu() { return {ActivationKind::Silu, {}}; }
  /// \throws InvalidArgument unless beta > 0.
  static Activation softplus(const Rational& beta);
  /// Leaky ReLU with the exact slope a for z < 0 (PyTorch's default is 1/100).
  static Activation leaky_relu(const Rational& slope);
  /// \throws InvalidArgument unless alpha > 0.
  static Activation elu(const Rational& alpha);
  /// \throws InvalidArgument if `coefficients` is empty.
  static Activation polynomial(std::vector<Rational> coefficients);
  /// Parses the names of name(): "sigmoid", "tanh", "softplus", "softplus(β)", "identity",
  /// "relu", "gelu", "gelu_tanh", "erf", "silu", "leaky_relu" (slope 1/100),
  /// "leaky_relu(a)", "elu", "elu(α)", "polynomial[c0, c1, ...]"; a parameter or coefficient is
  /// an exact decimal or p/q.
  /// \throws InvalidArgument naming the text and the accepted names.
  static Activation from_name(const std::string& name);

  friend bool operator==(const Activation&, const Activation&) = default;
};

/// ℓ(f, y): ½‖f − y‖²; the cross-entropy of softmax(f) against the probability vector y; or the
/// binary cross-entropy of sigmoid(f_c) against y_c ∈ [0, 1] for each output c (with logits).
enum class LossKind { Squared, CrossEntropy, BinaryCrossEntropy };
/// The parameters an L2 term covers: every parameter (SGD's weight_decay) or the weights W_l only
/// (scikit-learn's alpha).
enum class L2Scope { All, Weights };
/// L = c·Σ_i ℓ_i (Sum) or c·(1/N)·Σ_i ℓ_i (Mean).
enum class Reduction { Sum, Mean };

/// "squared" / "cross_entropy" / "binary_cross_entropy", the problem-file names. Does not throw.
std::string to_string(LossKind loss);
/// The output activation each loss folds in: "identity", "softmax", "sigmoid". Does not throw.
std::string output_activation(LossKind loss);
/// "all" / "weights". Does not throw.
std::string to_string(L2Scope scope);
/// "sum" / "mean", the problem-file names. Does not throw.
std::string to_string(Reduction reduction);
/// The inverses of to_string, for every interface that reads these names (the problem file, the
/// Python module, `locus data`): "squared", "cross_entropy", "binary_cross_entropy" (a hyphen for
/// the underscore is accepted); "sum", "mean"; "all", "weights". Empty for any other text. Does
/// not throw.
std::optional<LossKind> loss_from_name(const std::string& name);
std::optional<Reduction> reduction_from_name(const std::string& name);
std::optional<L2Scope> l2_scope_from_name(const std::string& name);

/// A parameter held fixed: θ_index (an index of the full parameter order, 0-based) equals `value`.
struct FrozenParameter {
  std::ptrdiff_t index = 0;
  Rational value;
  friend bool operator==(const FrozenParameter&, const FrozenParameter&) = default;
};

/// The architecture and the loss: everything but the data and the point.
///
/// Frozen parameters (docs/math/frozen.md): when `frozen` is not empty, the loss is a function of
/// the free parameters only, θ = the entries of the full parameter vector θ_all that are not
/// frozen, in their order. num_parameters() is then the number of free parameters, and every
/// derivative, spectrum and certificate is over them. The layout members (layer_offset,
/// weight_index, bias_index, augmented_index, in_l2_scope) index θ_all and are refused on such a
/// network (InvalidArgument): layout(), the same network with nothing frozen, has them.
struct Network {
  std::vector<int> widths;  ///< n_0, ..., n_L (at least two entries, all >= 1)
  /// The activation of every hidden layer, unless `activations` gives one per layer.
  Activation activation;
  /// Whether every weight layer has a bias, unless `biases` gives one flag per layer.
  bool bias = true;
  LossKind loss = LossKind::Squared;
  Reduction reduction = Reduction::Sum;
  /// A positive constant c multiplying the loss (default 1): L = c·Σ_i ℓ_i, or c·(1/N)·Σ_i ℓ_i.
  /// It lets a problem state another library's convention exactly, e.g. PyTorch's MSELoss
  /// (mean over N·n_L entries of (f − y)²) is c = 2/n_L with the mean reduction.
  Rational loss_scale{1};
  /// One activation per hidden layer (L − 1 entries), or empty: then every hidden layer uses
  /// `activation`. canonicalize() empties it when all entries are equal.
  std::vector<Activation> activations;
  /// One bias flag per weight layer (L entries), or empty: then every layer uses `bias`.
  std::vector<bool> biases;
  /// The exact coefficient c >= 0 of the L2 term c·Σ θ_k² over `l2_scope` (0: none).
  Rational l2{0};
  L2Scope l2_scope = L2Scope::All;
  /// Parameters held fixed, sorted by strictly increasing index (empty: every parameter free).
  std::vector<FrozenParameter> frozen;

  /// σ_l, the activation of hidden layer l (1 <= l <= L-1).
  [[nodiscard]] const Activation& activation_at(int l) const {
    return activations.empty() ? activation : activations[static_cast<std::size_t>(l - 1)];
  }
  /// β_l: whether weight layer l (1 <= l <= L) has a bias.
  [[nodiscard]] bool has_bias(int l) const {
    return biases.empty() ? bias : static_cast<bool>(biases[static_cast<std::size_t>(l - 1)]);
  }
  /// n_{l-1} + β_l: the columns of the augmented weight matrix W̃_l.
  [[nodiscard]] int input_columns(int l) const { return width(l - 1) + (has_bias(l) ? 1 : 0); }
  /// True when every hidden layer has the same activation.
  [[nodiscard]] bool uniform_activation() const;
  /// True when every weight layer has the same bias flag.
  [[nodiscard]] bool uniform_bias() const;
  /// Stores the per-layer lists in the short form when they are uniform (`activation`, `bias`),
  /// so that equal architectures compare equal and files keep the locus-problem/1 form.
  void canonicalize();
  /// True when θ_k is in the L2 term's scope (weights; biases too for L2Scope::All).
  [[nodiscard]] bool in_l2_scope(std::ptrdiff_t k) const;

  /// Number of weight layers L.
  [[nodiscard]] int num_layers() const { return static_cast<int>(widths.size()) - 1; }
  /// n_l.
  [[nodiscard]] int width(int l) const { return widths[static_cast<std::size_t>(l)]; }
  /// P, the number of free parameters: num_layout_parameters() − frozen.size().
  /// Precondition: widths valid (validate()).
  [[nodiscard]] std::ptrdiff_t num_parameters() const;
  /// P_all = Σ_l n_l (n_{l-1} + β), every parameter of the architecture, frozen or not.
  [[nodiscard]] std::ptrdiff_t num_layout_parameters() const;
  /// This network with no parameter frozen (the layout of θ_all).
  [[nodiscard]] Network layout() const;
  /// The indices in θ_all of the free parameters, increasing (θ_k = θ_all[free_indices()[k]]).
  [[nodiscard]] std::vector<std::ptrdiff_t> free_indices() const;
  /// o_l: index in θ of W_l[0, 0] (layers are 1-based, as in docs/interfaces.md).
  /// Precondition: 1 <= l <= L (LOCUS_ASSERT).
  /// \throws InvalidArgument when parameters are frozen (use layout()).
  [[nodiscard]] std::ptrdiff_t layer_offset(int l) const;
  /// Index in θ of W_l[j, k] (0-based j, k).
  [[nodiscard]] std::ptrdiff_t weight_index(int l, int j, int k) const {
    return layer_offset(l) + static_cast<std::ptrdiff_t>(j) * width(l - 1) + k;
  }
  /// Index in θ of b_l[j]. Precondition: has_bias(l).
  [[nodiscard]] std::ptrdiff_t bias_index(int l, int j) const {
    return layer_offset(l) + static_cast<std::ptrdiff_t>(width(l)) * width(l - 1) + j;
  }
  /// Index of the augmented weight W̃_l[j, k] = [W_l, b_l][j, k]: k = n_{l-1} is the bias.
  [[nodiscard]] std::ptrdiff_t augmented_index(int l, int j, int k) const {
    return augmented_index_at(layer_offset(l), l, j, k);
  }
  /// augmented_index with o_l = layer_offset(l) computed once by the caller (loops over a block).
  [[nodiscard]] std::ptrdiff_t augmented_index_at(std::ptrdiff_t offset,
                                                  int l,
                                                  std::ptrdiff_t j,
                                                  std::ptrdiff_t k) const {
    const std::ptrdiff_t in = width(l - 1);
    return k < in ? offset + j * in + k : offset + static_cast<std::ptrdiff_t>(width(l)) * in + j;
  }

  /// Checks widths (>= 2 entries, each >= 1), the per-layer list lengths, the activations'
  /// parameters, cross-entropy's n_L >= 2, l2 >= 0, and the frozen indices (in [0, P_all),
  /// strictly increasing, at least one parameter left free).
  /// \throws InvalidArgument naming the field and the expectation.
  void validate() const;
  /// "[1, 2, 1] sigmoid, bias, squared/sum"; per-layer lists as "[tanh, gelu]" and "bias [1, 0]",
  /// and ", L2 c over all|weights" when l2 > 0.
  /// ", F of P_all parameters frozen" when some are.
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const Network&, const Network&) = default;
};

/// The degree in θ of the loss when it is a polynomial in θ (identity or polynomial activations
/// in every hidden layer, with the squared loss): 2·d_L with d_1 = 1 and d_l = k_{l-1}·d_{l-1} + 1
/// for the degree k_{l-1} of σ_{l-1} (at least 2 with an L2 term). Empty for every other network
/// (sigmoid, tanh, softplus, ReLU, cross-entropy, ...). Does not throw.
std::optional<int> polynomial_loss_degree(const Network& net);

}  // namespace locus
