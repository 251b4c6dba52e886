// locus/solve/symmetry.hpp: existence of a true critical manifold at a degenerate point, through a
// slice transversal to the continuous symmetries of the loss (docs/math/symmetry-slices.md).
//
// At a point where the Hessian is singular, Krawczyk's test (existence.hpp) cannot succeed: the
// critical points are not isolated. When the degeneracy comes from an exact continuous symmetry of
// L (a one-parameter group φ_t with L∘φ_t = L for every data set), locus restricts ∇L to a slice
// transversal to the orbit, proves a unique zero of the restricted gradient there, and uses the
// invariance to show that the full gradient vanishes at that zero, and hence along its whole orbit.
//
//   const locus::SliceProof s = locus::prove_critical_orbit(net, data, theta, 256);
//   if (s.proved) { /* a manifold of critical points of dimension s.dimension within s.radius */ }
#pragma once

#include <string>
#include <vector>

#include "locus/core/data.hpp"
#include "locus/core/network.hpp"
#include "locus/scalar/all.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// True when symmetry_fields is not empty: a softmax cross-entropy output with a translation the
/// L2 term leaves, or no L2 term and at least one identity, ReLU or leaky ReLU hidden layer. Does
/// not throw.
bool has_continuous_symmetry(const Network& network);

/// The velocity fields V_i(θ) of the continuous symmetries of L that locus knows exactly, as the
/// columns of a P × m matrix (m generators):
/// - ReLU, leaky ReLU and identity hidden layers (positively homogeneous σ_l), each layer on its
///   own: for every hidden unit (l, a), the scaling of its incoming row
///   (weights and bias) by e^t and of its outgoing column by e^(−t) (positive homogeneity);
/// - identity hidden layers: all of gl(n_l), W̃_l → e^(tE) W̃_l, W_{l+1} → W_{l+1} e^(−tE) for the
///   elementary matrices E = E_ab (the scalings above are the diagonal ones).
/// - softmax cross-entropy outputs: for each input column k of W̃_L (hidden unit or bias), the
///   translation that adds t to column k of every output row (all logits shift by t·h_k); a
///   constant field, left out when the L2 term covers its entries.
/// L(φ_t θ) = L(θ) for every data set, so ∇L(θ)ᵀ V_i(θ) = 0 at every θ. Each V_i is linear
/// in θ, so in balls the columns enclose the fields over the whole input box. The rescalings are
/// left out whenever the network has an L2 term (c·Σθ² is not invariant under them; the orthogonal
/// subgroup that survives is not used). Empty (m = 0) when none applies.
/// \throws InvalidArgument for a θ of the wrong length.
template <class Scalar>
Mat<Scalar> symmetry_fields(const Network& network, const Vec<Scalar>& theta);

/// The outcome of prove_critical_orbit.
struct SliceProof {
  bool attempted = false;      ///< false: no continuous symmetry, or the test could not run
  bool proved = false;         ///< a true critical point θ* lies in the box, with its orbit
  Eigen::Index dimension = 0;  ///< k, the dimension of the orbit through θ̃ (independent fields)
  Rational radius;             ///< max-norm distance from θ̃ within which θ* lies
  Rational contraction;  ///< max row sum of |I − C·Nᵀ∇²L(X)N| (upper bound; < 3/4 needed)
  int bits = 0;          ///< Arb precision of the proof
  std::string method;
  std::string reason;     ///< why the proof failed or was not attempted
  Mat<Ball> box_hessian;  ///< ∇²L enclosed over the box (contains ∇²L(θ*)), when the test ran
};

/// Tries to prove that a true critical point θ* of L lies within max-norm `radius` of the exact
/// point θ̃, and that the orbit of θ* under the symmetries of symmetry_fields (a manifold of
/// dimension `dimension` through θ*) consists of critical points. Method: with K the independent
/// fields at θ̃ and N an exact basis of K^⊥, Krawczyk's test on y ↦ Nᵀ∇L(θ̃ + N y) proves a unique
/// zero y*; then ∇L(θ*) ∈ span K, and ∇L(θ*) ⊥ V_i(θ*) with the matrix V(X)ᵀK certified
/// nonsingular over the box gives ∇L(θ*) = 0. Every bound is an Arb ball at `bits`.
/// Guarantee: `proved` only when every step above is certified. Not attempted for P > 300 (the
/// exact slice basis and the ball products cost O(P³)).
/// \throws InvalidArgument for a θ̃ of the wrong length or bits < 32.
SliceProof prove_critical_orbit(const Network& network,
                                const Dataset& data,
                                const Vec<Rational>& theta,
                                int bits);

/// {"attempted", "proved", "dimension", "radius", "contraction", "method", "reason"} (bounds as
/// decimal strings rounded outward). Does not throw.
nlohmann::json to_json(const SliceProof& proof);

#define LOCUS_SYMMETRY_DECLARE(Scalar, tag) \
  extern template Mat<Scalar> symmetry_fields<Scalar>(const Network&, const Vec<Scalar>&);
LOCUS_SYMMETRY_DECLARE(Rational, rational)
LOCUS_SYMMETRY_DECLARE(Ball, ball)
#undef LOCUS_SYMMETRY_DECLARE

}  // namespace locus
