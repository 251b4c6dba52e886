// locus/reproductions/sagun.hpp: the Hessian spectrum before and after training, bulk and
// outliers (Sagun, Bottou & LeCun 2016; docs/reproductions.md, protocol of the authors' public code).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"

namespace locus::reproductions {

/// Full-batch gradient descent with a fixed step, stopping at ‖∇L‖ <= tolerance or after
/// max_iterations (the trainer of the reproductions).
struct TrainResult {
  Vec<double> theta;
  long iterations = 0;
  double gradient_norm = 0, loss = 0;
  bool converged = false;  ///< stopped on the gradient norm
};
TrainResult gradient_descent(const LossFunction<double>& f,
                             Vec<double> theta,
                             double step,
                             double tolerance,
                             long max_iterations,
                             const std::function<void(long, double, double)>& progress = {});

/// The bulk fraction φ_τ = #{i : |λ_i| <= τ·max_j |λ_j|} / P of a spectrum λ_1..λ_P: the share of
/// eigenvalues that are negligible next to the largest one in magnitude.
double bulk_fraction(const Vec<double>& eigenvalues, double tau = 1e-3);
/// The outlier count: the index of the largest gap in log|λ| among the top 3k eigenvalues.
int outlier_count(const Vec<double>& eigenvalues, int classes);

/// SB-a on the first `samples` points of a data set at θ: the rank of the Gauss-Newton matrix G
/// against N(k−1) (cross-entropy, k classes) or N·k (squared loss), proved, not estimated.
///  - squared loss, exact activation (ReLU, polynomial, identity): G over Q, its exact rank; with
///    `interpolating`, the targets are replaced by the outputs at θ (an exact global minimum, H =
///    0) and the count is the number of nonzero eigenvalues of the exact ∇²L (CO-0c).
///  - cross-entropy: the upper bound from the exact factorisation G = Σ_i (QJ_i)ᵀ Λ_i (QJ_i),
///    Q = I − 1e₁ᵀ (valid because Λ_i 1 = 0), i.e. rank G <= rank_Q [QJ_i]_i, J exact over Q; the
///    lower bound from the eigenvalues of G certified nonzero in Arb balls.
struct RankBoundRow {
  int samples = 0;
  long parameters = 0;
  std::string quantity;    ///< "rank G (CE)", "rank G (MSE)", "nonzero eigenvalues of ∇²L (MSE,
                           ///< interpolating)"
  long bound = 0;          ///< N(k−1) or N·k
  long rank_lower = -1;    ///< proved lower bound (−1: not decided)
  long rank_upper = -1;    ///< proved upper bound
  std::string arithmetic;  ///< which arithmetic proved each side
  bool pass = false;       ///< the proved rank (or its lower bound) is <= bound, and lower <= upper
};
RankBoundRow sb_a_rank(const Network& net,
                       const Dataset& data,
                       const Vec<double>& theta,
                       int samples,
                       bool interpolating = false);

/// The parts of the Sagun reproduction (docs/reproductions.md).
enum class SagunPart {
  Spectrum,  ///< (i) ReLU [2, 10, 5, 2] before and after training, histogram, SB-d
  Ranks,     ///< SB-a: proved rank bounds of G at the trained point of (i)
  Bulk,      ///< (ii) SB-b: bulk fraction φ against hidden width
  Outliers,  ///< (iii) SB-c: outlier count against the number of classes
};
/// "spectrum", "ranks", "bulk", "outliers".
std::string_view to_string(SagunPart part) noexcept;
/// \throws InvalidArgument naming the text and the four names.
SagunPart parse_sagun_part(std::string_view text);

struct SagunOptions {
  /// A smaller grid: (i) at most 20000 GD steps (else 10⁶), SB-a on N = 4, 16 (else 4, 8, 16,
  /// 32), (ii) 8000 steps and widths 5, 20, 80 (else 40000 steps and 5, 10, 20, 40, 80),
  /// (iii) 4000 steps (else 20000).
  bool quick = false;
  std::uint32_t seed = 0;        ///< data: seed; initialisation: seed + 1
  std::vector<SagunPart> parts;  ///< which parts to run; empty: all four
  std::vector<int> widths;       ///< (ii) hidden widths (>= 1); empty: the grid above
  std::vector<int> classes;      ///< (iii) numbers of classes (>= 2); empty: 2, 4, 8
  std::function<void(const std::string&)> progress;
};

/// Runs the chosen parts and writes DIR/sagun.md, sagun-*.dat and (with gnuplot) sagun.png/.svg.
/// Returns the report's Markdown. Criteria that fail are reported, not thrown.
/// \throws InvalidArgument for a width < 1 or a class count < 2 (naming the value); Error if DIR
///   cannot be written.
std::string sagun_reproduction(const SagunOptions& options, const std::string& dir);

}  // namespace locus::reproductions
