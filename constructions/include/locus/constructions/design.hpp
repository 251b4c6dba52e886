// locus/constructions/design.hpp: inverse design (R1, docs/constructions.md): make a chosen θ* an exact
// critical point by choosing the targets.
//
// For the squared loss ∇L(θ*) = Jᵀe with e = Φ(θ*) − Y stacked sample-major. With r ∈ ker Jᵀ and
// Y = Φ(θ*) − ε r, θ* is critical. ker Jᵀ ≠ {0} needs N·n_L > rank J (more outputs than
// parameters). r = C α for a basis C of ker Jᵀ; α is chosen (seeded search) to steer the split
// condition of a unit: F_r and B_r are linear in the residual, so "B_r = 0" is an exact linear
// constraint on α, and F_r's definiteness is searched for.
//
// Exact over Q when the activation is exact (polynomial, identity): every step is rational and
// ∇L(θ*) = 0 exactly. Otherwise J and Φ are enclosed in balls at `bits` and their midpoints are
// used: θ* is then critical to about 2^-bits (Krawczyk and `locus refine` take it from there).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "locus/constructions/split.hpp"
#include "locus/io/problem.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

enum class FTarget { Any, Positive, Negative, Indefinite };
enum class BTarget { Any, Zero, Nonzero };

struct DesignSpec {
  Network network;
  Mat<Rational> inputs;  ///< N x n_0
  Vec<Rational> theta;   ///< θ*
  Rational epsilon{1};   ///< residual scale: Y = Φ(θ*) − ε r, ‖r‖ of order 1
  std::uint32_t seed = 0;
  int tries = 200;  ///< seeded candidates α for the steering
  int layer = 1;    ///< the unit whose split condition is steered (hidden layer, 1-based)
  int unit = 0;
  FTarget f_target = FTarget::Any;
  BTarget b_target = BTarget::Any;
  bool strict_minimum = false;  ///< halve ε until ∇²L(θ*) ≻ 0 (at most 120 times)
  int bits = 256;               ///< ball precision for non-exact activations
};

struct DesignResult {
  Problem problem;
  nlohmann::json certificate;  ///< what was achieved, exactly or in balls
};

/// \throws InvalidArgument naming the failed requirement: a loss other than squared, ker Jᵀ = {0}
///   (too few samples), an unreachable B_r = 0 or F_r target, an unreachable strict minimum.
DesignResult inverse_design(const DesignSpec& spec);

FTarget parse_f_target(const std::string& s);
BTarget parse_b_target(const std::string& s);

}  // namespace locus::constructions
