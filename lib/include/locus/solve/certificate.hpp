// locus/solve/certificate.hpp: proof-carrying results. A locus-certificate/1 file holds a problem
// (network, data and point, exact numbers) and the facts proved about it, each with the data that
// makes re-checking cheap (docs/certificates.md); `locus-verify` re-checks it without this
// library.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/existence.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// The format tag of the files.
inline constexpr const char* kCertificateFormat = "locus-certificate/1";

/// A certificate: what is claimed (one sentence), what produced it, the problem, and the facts.
struct Certificate {
  std::string statement;
  std::string produced_by;
  nlohmann::json problem;  ///< certificate_problem(...)
  std::vector<nlohmann::json> facts;
  /// What follows from the facts (the checker derives it again): "strict-minimum",
  /// "strict-maximum", "saddle", "not-critical", "not-extremum", "minimum" (a degenerate local
  /// minimum by Morse–Bott); empty when the statement is the facts themselves.
  std::string conclusion;
};

/// Why locus-certificate/1 cannot state a problem, or nothing: the format has no form for a
/// population loss (data.population) nor for frozen parameters (network.frozen), so the
/// independent checker could not recompute anything (docs/certificates.md). Commands that write
/// certificates give this as their certificate note instead. Does not throw.
std::optional<std::string> certificate_unsupported(const Problem& p);

/// The problem in the certificate's form: widths, one activation per hidden layer, one bias flag
/// per layer, loss, reduction, scale, L2 term, inputs, targets and the point, every number exact
/// ("p/q"). \throws InvalidArgument when the problem has no point, or when
///   certificate_unsupported(p) names a reason.
nlohmann::json certificate_problem(const Problem& p);

/// "critical": ∇L(θ) = 0 exactly over Q (the checker recomputes the gradient).
nlohmann::json critical_fact();

/// "not-critical" over Q: some entry of ∇L(θ) is a nonzero rational (the checker recomputes the
/// gradient exactly).
nlohmann::json not_critical_fact();

/// "kernel": H(θ)·v = 0 exactly over Q for each column of `vectors` (nonzero columns).
nlohmann::json kernel_fact(const Mat<Rational>& vectors);

/// "critical-ball": every entry of the ball gradient at `bits` is exactly {0}.
nlohmann::json critical_ball_fact(int bits);

/// "hessian-zero": every entry of the ball Hessian at `bits` is exactly {0}.
nlohmann::json hessian_zero_fact(int bits);

/// "critical-manifold": θ + K t is a critical point for every t ∈ Q^k, K = `directions` (P × k,
/// independent columns). The checker verifies it exactly for polynomial losses (a grid of exact
/// gradients) and the columns' rank.
nlohmann::json critical_manifold_fact(const Mat<Rational>& directions);

/// "activation-rank": rank Ã_l = rank over Q, Ã_l the N × (n_l [+ 1]) matrix of hidden layer l's
/// outputs with a column of ones when layer l + 1 has biases (the checker recomputes it).
nlohmann::json activation_rank_fact(int layer, Eigen::Index rank);

/// "third-order": along u, ∇L·u = 0 and uᵀ∇²L u = 0 exactly and D³L[u,u,u] ≠ 0, in balls at
/// `bits` (the checker recomputes the three on nested dual numbers): θ is no local extremum.
nlohmann::json third_order_fact(const Vec<Rational>& direction, int bits);

/// "loss": L(θ) = value exactly over Q (the checker recomputes the loss).
nlohmann::json loss_fact(const Rational& value);

/// "inertia-ldlt" of an explicit symmetric rational matrix (e.g. a block of a construction): the
/// matrix is in the certificate, the checker multiplies the factors back against it.
nlohmann::json matrix_ldlt_fact(const Mat<Rational>& a);

/// "inertia-ldlt": the inertia of the exact Hessian from P·H·Pᵀ = L·D·Lᵀ (the checker recomputes
/// H, multiplies the factors back and counts the signs of D).
nlohmann::json ldlt_fact(const ExactLdlt& f);

/// "congruence": Tᵀ·∇²L(θ)·T = blockdiag(blocks) exactly over Q, T invertible (the checker
/// recomputes the Hessian, multiplies and compares, and computes det T). Blocks are
/// hessian_block (another problem's Hessian at its point) or matrix_block (explicit).
nlohmann::json congruence_fact(const Mat<Rational>& transform,
                               const std::vector<nlohmann::json>& blocks);
/// A block of congruence_fact: the Hessian of `p` at its point, recomputed by the checker.
nlohmann::json hessian_block(const Problem& p);
/// A block of congruence_fact: an explicit symmetric matrix.
nlohmann::json matrix_block(const Mat<Rational>& m);

/// "krawczyk": K(X) ⊂ int X for the box X = θ̃ ± radius (every coordinate) with the proof's
/// preconditioner, at `bits` (the checker recomputes ∇L(θ̃) and ∇²L(X) in balls).
nlohmann::json krawczyk_fact(const Vec<Rational>& center,
                             const Rational& radius,
                             const Mat<Rational>& preconditioner,
                             int bits);

/// "inertia-cluster": the inertia of the Hessian from a ball certificate with its basis
/// (certify_cluster with_basis): the checker recomputes QᵀHQ and QᵀQ in balls at the same
/// precision. The stated bounds are the certificate's widened (ε·16, δ·3/4), so that a checker
/// with its own rounding re-derives them. \throws InvalidArgument without a basis.
nlohmann::json cluster_fact(const ClusterCertificate& c);

/// Facts about the Hessian over a box that holds a critical point, and what they say.
struct BoxInertiaFacts {
  ExistenceProof existence;           ///< the Krawczyk proof whose box X the facts use
  std::vector<nlohmann::json> facts;  ///< "krawczyk", "krawczyk-image" or "krawczyk-split",
                                      ///< then "inertia-cluster"
  Inertia inertia;                    ///< of the cluster fact (zero: the cluster's size)
  /// The box holds a critical point of the problem the facts are about ("krawczyk", and
  /// "krawczyk-split": the split of a critical point is critical, Fukumizu–Amari).
  bool critical = false;
  /// "krawczyk-split": the dimension of the affine family of critical points through that point
  /// (the split's fractions), counted as the checker counts it; 0 otherwise.
  Eigen::Index family = 0;
  /// "krawczyk-split": a lower bound on the nullity of ∇²L_image at that point, as the checker
  /// counts it: the family's dimension plus Lemma K's directions (the incoming rows of copies with
  /// fraction 0 whose source feeds a single unit through a weight away from 0); 0 otherwise.
  Eigen::Index kernel = 0;
};

/// A split of a network's hidden units (Fukumizu & Amari 2000, §2), per hidden layer l = 1..L−1:
/// every unit of the wider network copies a unit of the smaller one (its incoming weights from
/// the layer below's copies, scaled by their fractions, and its bias), and the fractions of one
/// unit's copies sum to 1.
struct SplitStructure {
  std::vector<std::vector<int>> source;         ///< [l − 1][q]: the unit q copies
  std::vector<std::vector<Rational>> fraction;  ///< [l − 1][q]: its share of the outgoing weights
};

/// The split `map` (P_big × P_small, exact) is, when it is one: the structure whose map is `map`
/// entry for entry. None when the depth, the input or output widths differ, or `map` is not a
/// split.
std::optional<SplitStructure> split_structure(const Network& small,
                                              const Network& big,
                                              const Mat<Rational>& map);

/// The map of a split structure (P_big × P_small, exact): a copy q of unit s has s's bias and,
/// from a copy i of unit t in the layer below, the weight fraction_i · W_small[s, t].
Mat<Rational> split_map_of(const Network& small, const Network& big, const SplitStructure& split);

/// The inertia of ∇²L at the unique critical point θ* next to p's point: "krawczyk" (the box X)
/// and "inertia-cluster" at "box" (the inertia over all of X, hence at θ*), at `bits`. None (with
/// *why_not) when the existence proof or the cluster certificate fails.
std::optional<BoxInertiaFacts> box_inertia_facts(const Problem& p, int bits, std::string* why_not);

/// The inertia of ∇²L_image at map·θ*, θ* the critical point of p proved by `existence` (e.g.
/// box_inertia_facts(p).existence), for a problem `image` whose point is map·θ̃ exactly (e.g. a
/// split of p, map = its linear map): "krawczyk-image" (p embedded, its box X, the map) and
/// "inertia-cluster" at "box" over the box map·X. When the map is a split (split_structure) and
/// neither problem has an L2 term, "krawczyk-split" (the structure instead of the map) replaces
/// "krawczyk-image": map·θ* is then a critical point of `image` on an affine family of them
/// (`critical`, `family`). None (with *why_not) when the proof is missing, image's point is not
/// map·θ̃, or the cluster certificate fails.
std::optional<BoxInertiaFacts> image_inertia_facts(const Problem& p,
                                                   const ExistenceProof& existence,
                                                   int bits,
                                                   const Problem& image,
                                                   const Mat<Rational>& map,
                                                   std::string* why_not);

/// A degenerate minimum by Morse–Bott, over Q: θ + K t is critical for every t (verified exactly,
/// a polynomial loss), K has full column rank k, and the exact Hessian has inertia (P − k, 0, k).
/// Facts "critical", "critical-manifold", "inertia-ldlt" and the conclusion "minimum". None (with
/// *why_not) when a condition fails or cannot be checked exactly.
std::optional<Certificate> morse_bott_certificate(const Problem& p,
                                                  const Mat<Rational>& k,
                                                  std::string* why_not);

/// The certificate of a classification (locus classify --certificate), built by re-running the
/// proofs with the data a checker needs: "critical" and "inertia-ldlt" when θ is exactly critical
/// over Q; "krawczyk" and an "inertia-cluster" over the Krawczyk box when a true critical point
/// was proved next to θ; and the conclusion (strict-minimum, strict-maximum or saddle) the
/// checker derives from them. None (with *why_not) for kinds that rest on more than the inertia
/// at a critical point (degenerate points: higher-order tests, Morse–Bott hypotheses).
/// The exact facts are written when the classification's evidence is exact (computed over Q).
std::optional<Certificate> classification_certificate(const Problem& p,
                                                      const Classification& c,
                                                      std::string* why_not);

/// The whole certificate as JSON.
nlohmann::json to_json(const Certificate& c);

/// Writes to_json(c) to `path`. \throws Error if the file cannot be written.
void write_certificate(const Certificate& c, const std::string& path);

}  // namespace locus
