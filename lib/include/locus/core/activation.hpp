// locus/core/activation.hpp: one activation's value and derivatives at one point, in any
// arithmetic (docs/derivatives.md, "Activations").
//
// The loss code evaluates activations through the same function, so what a caller sees here is
// what the forward pass, the Hessian and the third derivative use.
#pragma once

#include <array>

#include "locus/core/derivatives.hpp"
#include "locus/core/network.hpp"

namespace locus {

/// {σ(z), σ′(z), σ″(z), σ‴(z)}: entries above `order` are 0.
///
/// \tparam Scalar any built-in scalar. Rational has exact values only where they are rational
///   (identity, relu, leaky_relu, polynomials everywhere; elu for z > 0; sigmoid, tanh and silu at
///   z = 0; gelu and gelu_tanh at z = 0 up to order 1).
/// \throws NotDifferentiable at a kink (relu, leaky_relu, elu at z = 0 exactly; elu with α = 1 is
///   differentiable once there), or for a ball that meets the kink; UnsupportedScalar where Scalar
///   has no exact value; InvalidArgument for an order outside 0..3.
template <class Scalar>
std::array<Scalar, 4> activation_derivatives(const Activation& act, const Scalar& z, int order = 3);

}  // namespace locus
