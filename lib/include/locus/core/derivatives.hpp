// locus/core/derivatives.hpp: the loss and its exact derivatives, generic over the scalar
// (docs/derivatives.md).
//
//   L(θ) = Σ_i ℓ(f(x_i; θ), y_i)             (sum; "mean" divides L and every derivative by N)
//   ∇²L = G + H,   G = Σ_i J_iᵀ Λ_i J_i  (Gauss-Newton, PSD),   H = Σ_i Σ_c e_ic ∇²f_c(x_i)
//
// Everything is computed by backpropagation in the arithmetic Scalar, with no finite differences:
// exact over Q for polynomial activations and the squared loss, enclosures for balls.
//
// The full Hessian is assembled per layer block: with K_m = ∂²ℓ/∂z_m² (second-order backprop),
// T_{m,l} = ∂z_m/∂z_l and δ_m = ∂ℓ/∂z_m, for m >= l
//   ∂²L/∂W̃_m[p,q] ∂W̃_l[j,k] = Σ_i ã_{l-1}[k] ( (K_m T_{m,l})[p,j] ã_{m-1}[q]
//                                               + δ_m[p] σ'(z_{m-1}[q]) T_{m-1,l}[q,j] )
// so that, for each output unit p of layer m, the whole (m, l) block row is one GEMM over the
// samples, (units j) x N x (pairs (q, k) of ã_{m-1}[q] ã_{l-1}[k]), plus one for the δ term. Only
// the lower block triangle is computed, and on diagonal blocks only j <= p and q >= k: about N·P²/2
// fused multiply-adds for the whole (exactly symmetric) Hessian. G keeps the Λ part of K only; H
// keeps the σ'' part of K and the δ term, so H is formed directly, never as a difference of rounded
// matrices.
#pragma once

#include <optional>
#include <vector>

#include "locus/core/data.hpp"
#include "locus/core/network.hpp"
#include "locus/error.hpp"
#include "locus/scalar/double_enclosure.hpp"
#include "locus/scalar/eigen.hpp"

namespace locus {

/// Which part of the Hessian: ∇²L, the Gauss-Newton part G, or the residual part H = ∇²L − G.
enum class HessianPart { Full, GaussNewton, Residual };

/// A pre-activation where the activation has no derivative (ReLU at exactly 0), or where a ball
/// cannot decide the side of the kink.
class NotDifferentiable : public Error {
 public:
  using Error::Error;
};

/// Per-sample quantities around hidden layer l (rows: samples), for the constructions (split
/// conditions F_r and B_r, flat subspaces, escape paths).
template <class Scalar>
struct LayerTerms {
  Mat<Scalar> a_prev;  ///< ã_{l-1}: N x (n_{l-1} + β), the input of layer l (ones column last)
  Mat<Scalar> z;       ///< z_l: N x n_l
  Mat<Scalar> d1, d2;  ///< σ'(z_l), σ''(z_l): N x n_l
  Mat<Scalar> delta_next;  ///< δ_{l+1} = ∂L/∂z_{l+1}: N x n_{l+1}, with the mean factor applied
};

/// The loss of a network on a data set, as a function of θ in the arithmetic Scalar.
///
/// The data are rounded (or enclosed) into Scalar once, at construction (balls: at the thread's
/// working precision then). Every member is const and reentrant.
///
/// \tparam Scalar any built-in scalar. Rational needs an activation with exact values at the
///   pre-activations met (polynomials, identity, ReLU away from 0; sigmoid and tanh only at z = 0)
///   and the squared loss; otherwise the call throws UnsupportedScalar naming the activation, the
///   value and the layer/unit/sample.
/// Throws (every evaluating member): UnsupportedScalar as above; NotDifferentiable for ReLU at 0;
///   InvalidArgument if θ (or v, u) does not have P entries.
template <class Scalar>
class LossFunction {
 public:
  /// \throws InvalidArgument when the network is invalid (Network::validate) or the data do not
  ///   have n_0 input and n_L target columns; UnsupportedScalar when a data value has no
  ///   representation in Scalar.
  LossFunction(Network network, const Dataset& data);

  /// The network as given (with its frozen parameters, if any).
  [[nodiscard]] const Network& network() const { return given_; }
  /// N; 0 for a population (Dataset::population), whose loss, gradient, Hessian and
  /// Hessian-vector products are the closed forms of docs/math/population.md and whose per-sample
  /// members (outputs, residuals, output_jacobian, layer_terms, third_derivative, the Hessian's
  /// Gauss–Newton and residual parts) throw InvalidArgument.
  [[nodiscard]] Eigen::Index num_samples() const { return x_.rows(); }
  [[nodiscard]] bool is_population() const { return teacher_network_.has_value(); }
  /// P, the free parameters: θ, gradients, Hessians and directions have P entries, in the order of
  /// Network::free_indices() when some parameters are frozen.
  [[nodiscard]] Eigen::Index num_parameters() const { return given_.num_parameters(); }

  /// Network outputs f(x_i; θ), one row per sample (N x n_L).
  [[nodiscard]] Mat<Scalar> outputs(const Vec<Scalar>& theta) const;
  /// The loss L(θ).
  [[nodiscard]] Scalar loss(const Vec<Scalar>& theta) const;
  /// ∇L(θ); optionally also the loss.
  [[nodiscard]] Vec<Scalar> gradient(const Vec<Scalar>& theta, Scalar* loss = nullptr) const;
  /// The residuals e_i = ∇_f ℓ(f_i, y_i), one row per sample (N x n_L), before any mean scaling.
  [[nodiscard]] Mat<Scalar> residuals(const Vec<Scalar>& theta) const;
  /// The P x P matrix ∇²L, G or H. Guarantee: exactly symmetric (the upper triangle is a copy).
  /// Cost: N·P²/2 multiply-adds in layer-block products, plus O(N Σ n_m² n_l) per-sample work.
  [[nodiscard]] Mat<Scalar> hessian(const Vec<Scalar>& theta,
                                    HessianPart part = HessianPart::Full) const;
  /// The same matrix enclosed entrywise in doubles, each entry converted as soon as it is
  /// computed: no P x P matrix of Scalar is formed (at P = 2000 a ball matrix is 190 MB). For
  /// interval scalars, whose rigour the enclosure keeps. \throws UnsupportedScalar for other
  /// scalars; InvalidArgument when an entry is not finite or does not fit in a double.
  [[nodiscard]] DoubleEnclosure hessian_enclosure(const Vec<Scalar>& theta,
                                                  HessianPart part = HessianPart::Full) const;
  /// ∇²L v, G v or H v by the R-operator (one forward and one backward pass, batched).
  [[nodiscard]] Vec<Scalar> hessian_vector_product(const Vec<Scalar>& theta,
                                                   const Vec<Scalar>& v,
                                                   HessianPart part = HessianPart::Full) const;
  /// The stacked output Jacobian J = ∂Φ/∂θ, (N·n_L) x P, row i·n_L + c is ∂f_c(x_i)/∂θ (not scaled
  /// by the mean reduction).
  [[nodiscard]] Mat<Scalar> output_jacobian(const Vec<Scalar>& theta) const;
  /// ã_{l-1}, z_l, σ'(z_l), σ''(z_l) and δ_{l+1} for a hidden layer l (1 <= l <= L-1).
  /// \throws InvalidArgument for l outside 1..L-1.
  [[nodiscard]] LayerTerms<Scalar> layer_terms(const Vec<Scalar>& theta, int l) const;
  /// The third directional derivative D³L(θ)[u, u, u] = d³/dt³ L(θ + t u) at t = 0, by Taylor-mode
  /// propagation of degree 3.
  [[nodiscard]] Scalar third_derivative(const Vec<Scalar>& theta, const Vec<Scalar>& u) const;

 private:
  Network given_;                   // as given, with its frozen parameters
  Network network_;                 // given_.layout(): the members below work on θ_all
  std::vector<Eigen::Index> free_;  // the free indices in θ_all (empty: nothing frozen)
  [[nodiscard]] Vec<Scalar> expand(const Vec<Scalar>& theta) const;
  [[nodiscard]] Vec<Scalar> pad(const Vec<Scalar>& v, const char* what) const;
  [[nodiscard]] Vec<Scalar> restrict(const Vec<Scalar>& all) const;
  [[nodiscard]] Mat<Scalar> outputs_all(const Vec<Scalar>& theta) const;
  [[nodiscard]] Scalar loss_all(const Vec<Scalar>& theta) const;
  [[nodiscard]] Vec<Scalar> gradient_all(const Vec<Scalar>& theta, Scalar* loss) const;
  [[nodiscard]] Mat<Scalar> residuals_all(const Vec<Scalar>& theta) const;
  [[nodiscard]] Mat<Scalar> hessian_all(const Vec<Scalar>& theta, HessianPart part) const;
  // Computes the Hessian of θ_all into sink.set_symmetric(row, col, value) (every unordered pair
  // once, from several threads for distinct pairs) and sink.add_diagonal(k, value) (after them).
  template <class Sink>
  void hessian_all_into(const Vec<Scalar>& theta, HessianPart part, Sink& sink) const;
  [[nodiscard]] Vec<Scalar> hessian_vector_product_all(const Vec<Scalar>& theta,
                                                       const Vec<Scalar>& v,
                                                       HessianPart part) const;
  [[nodiscard]] Mat<Scalar> output_jacobian_all(const Vec<Scalar>& theta) const;
  [[nodiscard]] LayerTerms<Scalar> layer_terms_all(const Vec<Scalar>& theta, int l) const;
  [[nodiscard]] Scalar third_derivative_all(const Vec<Scalar>& theta, const Vec<Scalar>& u) const;
  Mat<Scalar> x_;                           // N x n_0
  Mat<Scalar> y_;                           // N x n_L
  std::optional<Network> teacher_network_;  // a population: the teacher's network
  Vec<Scalar> teacher_;                     // and its parameters
  void per_sample(const char* what) const;  // throws for a population
};

#define LOCUS_DERIVATIVES_DECLARE(Scalar, tag) extern template class LossFunction<Scalar>;
LOCUS_FOR_EACH_SCALAR(LOCUS_DERIVATIVES_DECLARE)
#undef LOCUS_DERIVATIVES_DECLARE

}  // namespace locus
