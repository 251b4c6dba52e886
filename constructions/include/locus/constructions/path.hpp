// locus/constructions/path.hpp: piecewise-linear paths in parameter space and the certified check
// that the loss never increases along them (PS-4, R3; SI-1 swap paths).
//
// A path is stored in a problem file as the member "path": {"vertices": [θ_0, θ_1, ...] (exact
// P-vectors), "labels": [one per segment]}; the problem's point is θ_0.
//
// Each segment θ(t) = θ_k + t (θ_{k+1} − θ_k), t ∈ [0, 1], is certified by the first method that
// applies:
//   function-preserving  an exact check on the endpoints that the network function is the same
//                        all along: the segment only moves the incoming row of a unit whose
//                        outgoing column is 0, or only shifts outgoing weight between two units
//                        with equal incoming rows (a split line). The loss is then constant.
//   exact-polynomial     polynomial / identity activations with the squared loss: φ(t) = L(θ(t))
//                        is a polynomial over Q, interpolated exactly; φ' <= 0 on [0, 1] from its
//                        Bernstein coefficients with subdivision (an exact positive value of φ'
//                        refutes).
//   ball-derivative      otherwise: [0, 1] is cut into pieces J with midpoint m, and
//                        φ'(J) ⊂ φ'(m) + φ''(J)·[−h/2, h/2] is enclosed in Arb balls (gradient at
//                        the exact midpoint, Hessian-vector product over the whole box θ(J));
//                        pieces are bisected until the upper bound is <= 0.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "locus/constructions/split.hpp"
#include "locus/io/problem.hpp"
#include "locus/solve/certificate.hpp"

#include <nlohmann/json.hpp>

namespace locus::constructions {

/// How a segment was certified (the three methods above).
enum class SegmentMethod { FunctionPreserving, ExactPolynomial, BallDerivative };
/// What was certified about L along a segment. Every verdict but Undecided is proved, exactly or
/// by enclosure (PathCheck::evidence says which).
enum class SegmentVerdict { Constant, NonIncreasing, Increasing, Undecided };
/// "function-preserving", "exact-polynomial", "ball-derivative" (the JSON values).
std::string_view to_string(SegmentMethod m) noexcept;
/// "constant", "non-increasing", "increasing", "undecided" (the JSON values).
std::string_view to_string(SegmentVerdict v) noexcept;
// The overloads above would hide locus::to_string (Rational, Inertia, ...) inside this namespace.
using ::locus::to_string;

struct SegmentCheck {
  std::string label;
  SegmentMethod method = SegmentMethod::FunctionPreserving;
  SegmentVerdict verdict = SegmentVerdict::Undecided;
  std::string detail;
  /// The pieces [a, b] of [0, 1] the proof used, in order: φ' has Bernstein coefficients <= 0 on
  /// each (exact-polynomial; empty when the exact decision needed Sturm's theorem, see
  /// path_fact), or the mean-value bound of φ' is <= 0 on each (ball-derivative).
  std::vector<std::array<Rational, 2>> pieces;
};

struct PathCheck {
  std::string arithmetic;  ///< "rational" or "ball:BITS"
  int bits = 0;            ///< the ball precision of ball-derivative segments (0: exact)
  Evidence evidence;       ///< exact (rational) or enclosure (balls)
  std::vector<SegmentCheck> segments;
  bool non_increasing = false;   ///< every segment constant or non-increasing (certified)
  bool strict_decrease = false;  ///< L(θ_end) < L(θ_0), certified
  std::string start_loss, end_loss, decrease;

  /// True when every segment is certified Constant (a path along which L is proved constant).
  [[nodiscard]] bool all_constant() const;
};

/// The object `locus path --json` prints (without "expect" and "pass").
nlohmann::json to_json(const PathCheck& c);

/// The vertices and labels of the problem's "path" member.
/// \throws InvalidArgument for a missing or malformed path (wrong lengths, non-numbers).
std::vector<Vec<Rational>> path_vertices(const Problem& p, std::vector<std::string>* labels);

/// Certifies every segment (see above) and the strict final decrease, balls at `bits`. With
/// `radii` (one per vertex) the vertices are boxes v_k ± r_k and the ball-derivative segments and
/// the decrease are certified for every path through them (balls only; the function-preserving
/// decisions are those of the exact vertices).
PathCheck check_path(const Problem& p,
                     int bits = 256,
                     const std::vector<Vec<Rational>>* radii = nullptr);

/// The "path" fact of a certificate (docs/certificates.md): the vertices, each segment's method
/// with the pieces of its proof, the exact end loss (polynomial losses) and, when proved, the
/// strict decrease L(θ_end) < L(θ_0). None (with *why_not) when a segment is not certified
/// non-increasing, or was decided exactly without a Bernstein subdivision (a tangency of φ' to 0
/// inside (0, 1)). The first vertex must be the problem's point.
std::optional<nlohmann::json> path_fact(const Problem& p, const PathCheck& c, std::string* why_not);

/// A certificate of the check: `before` (facts about the problem's point), then path_fact. None
/// (with *why_not) as path_fact.
std::optional<Certificate> path_certificate(const Problem& p,
                                            const PathCheck& c,
                                            std::string statement,
                                            std::string* why_not,
                                            std::vector<nlohmann::json> before = {});

/// A path that leaves the critical point of a split: `small`'s point is proved (Krawczyk, balls
/// at `bits`) next to a critical point θ*, `map` is a split (split_structure) with `path`'s
/// point = map·(small's point), and every vertex of `path` is map_k·(small's point) with some
/// entries fixed, map_k the split with its own fractions. The certificate holds "krawczyk-split",
/// the inertia over its box and the path fact with "split_vertices": the checker re-derives every
/// segment for all θ in the box, so the path leaves the critical point map·θ* itself and ends
/// strictly below it; conclusion "minimum" when the inertia is (P − k, 0, k) for the split
/// family's dimension k. None (with *why_not) when a proof fails, a vertex is not of that form or
/// a segment is exact-polynomial.
std::optional<Certificate> split_path_certificate(const Problem& small,
                                                  const Mat<Rational>& map,
                                                  const Problem& path,
                                                  int bits,
                                                  std::string statement,
                                                  std::string* why_not);

/// R3: the three-phase non-increasing path out of the split minimum θ_λ0 (λ0 ∈ (0, 1)) of a
/// critical small network: slide λ to 1, move the new unit's incoming row to the w̃* maximising
/// ‖g*(w̃)‖ = ‖Σ_i δ_i σ(w̃ᵀã_i)‖ (integer grid, seeded random candidates for wide layers), then
/// step its outgoing column along −g*. Returns the big problem at θ_λ0 with the "path" member.
Problem escape_path(const Problem& small, const SplitSpec& spec, std::uint32_t seed = 0);

}  // namespace locus::constructions
