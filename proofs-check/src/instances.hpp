// Seeded instance generators shared by the claims (internal).
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "locus/claims/claim.hpp"
#include "locus/constructions/design.hpp"
#include "locus/constructions/split.hpp"

namespace locus::claims::detail {

/// σ(z) = Σ_{k<=5} z^k/k!: the dense polynomial of docs/constructions.md (pitfall 9).
Activation exp5();

/// A network with random exact parameters k/4 and N distinct random inputs with N·n_L >= P + 8
/// (so ker Jᵀ ≠ {0}); targets 0.
Problem random_base(std::uint32_t seed,
                    const std::vector<int>& widths,
                    const Activation& act,
                    bool bias = true);

/// The planted fault perturb-point: θ(index) of a constructed critical point moved by 10^-20 when
/// ctx.mutation is PerturbPoint; otherwise p unchanged.
Problem planted(const Context& ctx, Problem p, Eigen::Index index = 0);

/// The hypothesis of claims about critical points, checked where the instance is built: ∇L(θ) = 0
/// exactly over Q (polynomial, identity and ReLU networks with the squared loss), or otherwise a
/// classification whose stationarity is exact or proved-nearby (ball:256). Empty when it holds;
/// else the undecided instance result that names the violation.
std::optional<InstanceResult> unless_critical(const Problem& p);

/// An exact R1 design (critical point, strict minimum when `strict`), steered at unit (layer,
/// unit); tries seeds seed, seed + 1000, ... and returns nullopt when none works. The design's
/// point is planted() (the mutation perturb-point).
std::optional<constructions::DesignResult> design(const Context& ctx,
                                                  std::uint32_t seed,
                                                  const std::vector<int>& widths,
                                                  constructions::FTarget f,
                                                  constructions::BTarget b,
                                                  int layer,
                                                  int unit,
                                                  bool strict,
                                                  const Activation& act = exp5());

/// The last inverse-design failure on this thread (for the undecided detail).
std::string& last_design_error();

/// G1's small network refined to 100 digits (computed once), planted().
Problem g1_refined(const Context& ctx);

/// A random exact λ in (0, 1), or outside [0, 1].
Rational lambda_inside(std::mt19937& rng);
Rational lambda_outside(std::mt19937& rng);

/// A path file's loss sampled in double at 100 points per segment (evidence only): whether it
/// never rose by more than 1e-12 from one sample to the next, and L(start) − L(end).
struct SampledPath {
  bool non_increasing = false;
  double decrease = 0;
};
SampledPath sampled_path(const Problem& path);

/// The certificates of a split of a Krawczyk-proved critical point θ* (balls at `bits`): the
/// small problem's Krawczyk box with the Hessian's inertia over it, and the split problem's
/// Hessian inertia over the image of that box (which holds θ*_λ). `small_inertia` and
/// `big_inertia` are what the claim computed: when a certificate's counts differ, or a proof does
/// not repeat, no certificates are returned and *not_certified says why. Without an L2 term the
/// split's certificate proves θ*_λ critical (krawczyk-split) and carries the conclusion that
/// follows: "saddle" for an indefinite inertia, "minimum" (Morse–Bott) when the cluster is the
/// split family and nothing is negative; *known_nullity gets the nullity the checker derives at θ*_λ
/// (the family's dimension and Lemma K's directions; 0 with L2).
std::vector<Certificate> split_box_certificates(const Problem& small,
                                                const constructions::SplitSpec& spec,
                                                int bits,
                                                const Inertia& small_inertia,
                                                const Inertia& big_inertia,
                                                std::string* not_certified,
                                                Eigen::Index* known_nullity = nullptr);

/// The certificate that `big` (its point map·θ̃, map a split of `small`'s hidden units) is a
/// degenerate local minimum: Krawczyk's box for `small` at `bits`, "krawczyk-split" and the
/// inertia (P − k, 0, k) over the image box, k the split family's dimension, conclusion
/// "minimum" (Morse–Bott). None (with *why_not) when a proof fails or the inertia is not that.
std::optional<Certificate> split_minimum_certificate(const Problem& small,
                                                     const Problem& big,
                                                     const Mat<Rational>& map,
                                                     int bits,
                                                     std::string* why_not);

/// A number from "p/q", a decimal, or a ball "[mid +/- rad]" (its midpoint), as a double.
double number(const std::string& s);

/// 10^-20 exactly.
Rational tiny();

/// A decided instance. `evidence` comes from the computation that decided it (Evidence::of<S>() or
/// a library result's evidence); the runner counts the instance as a proof only when
/// evidence.proves().
InstanceResult result(bool holds, const Evidence& evidence, double margin, std::string detail);
InstanceResult undecided(std::string detail);

}  // namespace locus::claims::detail

namespace locus::claims {
/// The parts of the registry (claims_split.cpp, claims_other.cpp, claims_newer.cpp).
std::vector<Claim> split_claims();
std::vector<Claim> other_claims();
std::vector<Claim> newer_claims();
}  // namespace locus::claims
