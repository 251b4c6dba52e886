// locus/constructions/split.hpp: replicating a hidden unit (R2) and the exact Hessian at the split
// point (Theorem S, docs/math/theorem-s.md; Fukumizu–Amari 2000, Petzka–Sminchisescu 2021).
//
// Unit r of hidden layer l is replicated with ratio λ: the new unit (last in its layer) copies r's
// incoming row ũ (weights and bias), the outgoing column v = W_{l+1}[:, r] becomes λv on r and
// (1−λ)v on the new unit. The network function is unchanged. At a critical point θ* of the small
// network, with δ_i = δ_{l+1}(x_i), z_i = z_l(x_i)_r and ã_i = ã_{l-1}(x_i),
//
//   F_r = Σ_i (vᵀδ_i) σ''(z_i) ã_i ã_iᵀ,   B_r = Σ_i δ_i σ'(z_i) ã_iᵀ,
//   K_λ = [[λ(1−λ) F_r, B_rᵀ], [B_r, 0]],
//
// and Tᵀ ∇²L_big T = blockdiag(∇²L_small, K_λ) for the explicit unimodular T below, so
// In(∇²L_big) = In(∇²L_small) + In(K_λ) (Sylvester).
//
// Everything is computed in one certified arithmetic: exact rationals (polynomial and identity
// activations with the squared loss) or Arb balls.
#pragma once

#include <optional>
#include <string>

#include "locus/constructions/common.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

struct SplitSpec {
  int layer = 1;  ///< hidden layer l, 1-based (1..L-1)
  int unit = 0;   ///< unit r, 0-based
  Rational lambda{1, 2};
};

/// The split problem: network with n_l + 1 units in layer l, the point θ_λ (exact), same data.
/// \throws InvalidArgument naming the failed hypothesis: the output layer (l = L) or the input,
///   a unit out of range, a problem without a point.
Problem split_problem(const Problem& small, const SplitSpec& spec);

/// The index in the big network's θ of each small-network coordinate (the same weight or bias).
std::vector<Eigen::Index> embed_indices(const Network& small, const SplitSpec& spec);

/// Theorem S's coordinates T (P_big × P_big, exact): columns 0..P_small-1 the small-network
/// coordinates (unit r's incoming perturbation on both copies, its outgoing e as (λe, (1−λ)e)),
/// then δ (incoming (+(1−λ)δ, −λδ) on (r, new)), then g (outgoing (+g, −g)).
Mat<Rational> split_coordinates(const Network& small, const SplitSpec& spec);

/// The split as a linear map θ ↦ θ_λ (P_big × P_small, exact): column j is the split of e_j, so
/// split_map(small, spec)·θ = split_problem(small with point θ, spec).point for every θ.
Mat<Rational> split_map(const Problem& small, const SplitSpec& spec);

/// What the split construction proves (see split.cpp for every step).
struct SplitCertificate {
  std::string arithmetic;  ///< "rational" or "ball:BITS"
  /// Exact (rational) or enclosure (balls) when the hypothesis (θ* critical) is proved; otherwise
  /// lowered to floating-point strength: every statement is then about θ̃, conditional on it.
  Evidence evidence;
  SplitSpec spec;
  std::string small_gradient;  ///< "0 exactly" or a certified bound
  /// Theorem S's hypothesis is proved: ∇L_small = 0 exactly (rational), or a true critical point
  /// next to θ̃ by Krawczyk (balls; every quantity is then enclosed over the box). Otherwise θ̃ is
  /// critical only to its gradient bound and every statement is evidence about θ̃.
  bool hypothesis_proved = false;
  DecidedInertia small_inertia;   ///< In(∇²L_small(θ*))
  DecidedInertia f_inertia;       ///< In(F_r)
  DecidedInertia k_inertia;       ///< In(K_λ)
  Inertia predicted;              ///< In(∇²L_small) + In(K_λ)
  DecidedInertia big_inertia;     ///< In(∇²L_big(θ_λ)), computed independently
  bool prediction_holds = false;  ///< all decided and predicted == big
  bool b_zero = false;            ///< B_r = 0 (exactly, or structurally when n_{l+1} = 1)
  std::string b_zero_reason;
  Eigen::Index rank_b = 0;  ///< rank of B_r (exact; balls: a certified lower bound)
  std::string congruence;   ///< how TᵀHT = diag(H_small, K) was checked, with the residual
  bool congruence_holds = false;
  std::string big_gradient;  ///< certified ‖∇L_big(θ_λ)‖ or "0 exactly"
  std::string kind;          ///< predicted kind at this λ (Theorem S, S1-S3)
  std::string kind_reason;
  nlohmann::json regions;       ///< the predicted kind on λ ∈ (0,1), λ ∉ [0,1], λ ∈ {0,1}
  Mat<Rational> tangent_basis;  ///< tangent of the critical manifold through θ_λ (P_big × k)
  std::optional<Vec<Rational>> descent;  ///< PS-2 direction (B_r ≠ 0) in big coordinates
  std::string descent_curvature;         ///< uᵀ∇²L_big u, certified negative
  nlohmann::json f, b;                   ///< F_r and B_r
  /// Balls: Krawczyk's proof of a true critical point of the small network; when proved, every
  /// inertia above is that of the true critical point and its split (enclosures over the box).
  nlohmann::json existence;
};

nlohmann::json to_json(const SplitCertificate& c);

/// Splits and certifies: the small point must be critical (exactly over Q; in balls ‖∇L‖ below
/// 2^(-bits/4)), otherwise InvalidArgument names the gradient bound ("Theorem S needs a critical
/// point"). `a` is rational or ball:BITS (mpfr:BITS is certified in balls at BITS).
SplitCertificate certify_split(const Problem& small, const SplitSpec& spec, const Arithmetic& a);

/// The default arithmetic for a problem: rational when every quantity is exact (polynomial or
/// identity activation, squared loss, rational point), else ball:256.
Arithmetic default_certified_arithmetic(const Network& network);

}  // namespace locus::constructions
