// locus/linalg/lanczos.hpp: matrix-free extreme eigenvalues and spectral density (double). The
// extreme eigenvalues: unrestarted Lanczos while its basis fits in memory, then Spectra's
// implicitly restarted Lanczos; the fixed-step Lanczos below stays for the spectral density (SLQ)
// and for `--steps`.
//
// For Hessians too large to form (P = 10^5..10^6): only products v -> M v are needed (the
// Hessian-vector product of locus/core/derivatives.hpp). Numerical, not certified: every Ritz value
// comes with its residual bound |β_m s_mj|, which bounds the distance to the nearest true
// eigenvalue (for symmetric M, ‖M y − θ y‖ = |β_m s_mj| and some eigenvalue lies within it).
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <Eigen/Core>

namespace locus {

/// y = M x for a symmetric M of order n.
using SymmetricOperator = std::function<void(const Eigen::VectorXd& x, Eigen::VectorXd& y)>;

struct RitzValues {
  std::vector<double> values;     ///< ascending
  std::vector<double> residuals;  ///< |β_m s_mj|: an eigenvalue of M lies within it of values[j]
  int steps = 0;                  ///< Lanczos steps taken (stops early on an invariant subspace)
  std::uint64_t seed = 0;
};

/// `steps` Lanczos steps with full reorthogonalisation from a seeded Gaussian start vector.
/// Guarantee (exact for the computed Lanczos relation): for each Ritz value θ_j some eigenvalue of
/// M lies within residuals[j] of it; the values are rounded doubles, so this is numerical
/// evidence, not a proof. Reproducible for a given seed.
/// \throws InvalidArgument if n < 1 or steps < 1; whatever `op` throws.
RitzValues lanczos(const SymmetricOperator& op, Eigen::Index n, int steps, std::uint64_t seed);

/// Which end of the spectrum extreme_eigenvalues looks for (algebraic order).
enum class SpectrumEnd { Largest, Smallest };

/// Result of extreme_eigenvalues.
struct ExtremeEigenvalues {
  std::vector<double> values;  ///< the k eigenvalues found, outermost first
  /// ‖M y_j − θ_j y_j‖ for the unit Ritz vector y_j, recomputed with one product each: some
  /// eigenvalue of M lies within it of values[j] (numerical evidence: the product is rounded).
  std::vector<double> residuals;
  bool converged = false;  ///< every value met the tolerance (Spectra's CompInfo::Successful)
  long products = 0;       ///< applications of the operator by the solver (its start included)
  long unrestarted = 0;    ///< of which by the unrestarted first phase (see extreme_eigenvalues)
  long checks = 0;    ///< the applications that recomputed the residuals afterwards (one per value)
  long restarts = 0;  ///< implicit restarts
  int subspace = 0;   ///< Spectra's ncv, or the Krylov dimension when the first phase converged
  std::uint64_t seed = 0;
};

/// The k largest or smallest eigenvalues of M, from a seeded Gaussian start vector, until every
/// Ritz value's residual estimate is below tolerance·max(|θ|, ε^(2/3)). Without `subspace` (0):
/// first Lanczos with full reorthogonalisation and no restart while its basis fits in 256 MiB
/// (at most 600 vectors, skipped below 4k + 1), checked as it grows; if that does not converge,
/// implicitly restarted Lanczos (Spectra's SymEigsSolver, min(n, max(2k + 1, 20)) vectors,
/// max_restarts restarts) from the sum of its k Ritz vectors. With `subspace`: Spectra alone on
/// that many vectors, from the Gaussian start. `first_phase_limit` >= 0 replaces the memory rule
/// (at most that many vectors in the first phase; 0: none). Reproducible for a given seed.
/// \throws InvalidArgument unless 1 <= k < n, tolerance > 0, max_restarts >= 1 and (when given)
///   k < subspace <= n; whatever `op` throws.
ExtremeEigenvalues extreme_eigenvalues(const SymmetricOperator& op,
                                       Eigen::Index n,
                                       int k,
                                       SpectrumEnd end,
                                       double tolerance,
                                       int max_restarts,
                                       std::uint64_t seed,
                                       int subspace = 0,
                                       int first_phase_limit = -1);

/// Stochastic Lanczos quadrature: nodes and weights (summing to 1) of the spectral density
/// estimate, from `probes` Rademacher vectors and `steps` Lanczos steps each (Ubaru, Chen, Saad).
struct SpectralDensity {
  std::vector<double> nodes;
  std::vector<double> weights;
  int probes = 0;
  int steps = 0;
  std::uint64_t seed = 0;
};
/// Guarantee: the nodes are Ritz values of M (evidence, as above) and the weights are
/// non-negative and sum to 1 up to rounding; reproducible for a given seed.
/// \throws InvalidArgument if n < 1, steps < 1 or probes < 1; whatever `op` throws.
SpectralDensity spectral_density(
    const SymmetricOperator& op, Eigen::Index n, int steps, int probes, std::uint64_t seed);

/// One Lanczos run's tridiagonal matrix: alpha (its diagonal) and beta (beta[j] couples steps j
/// and j + 1; the last entry is the final residual norm).
struct LanczosTridiagonal {
  std::vector<double> alpha, beta;
};
/// Whether a Lanczos run stops at a step with diagonal entry a and residual norm b: the Krylov
/// space is invariant to rounding (b <= 1e3·ε·max(1, |a|)).
[[nodiscard]] bool lanczos_breakdown(double a, double b) noexcept;
/// Stochastic Lanczos quadrature with the Lanczos runs done by `run_probe` (given a probe vector of
/// order n, its tridiagonal after at most `steps` steps, full reorthogonalisation): the probes
/// (Rademacher, seeded) and the quadrature are those of spectral_density, which is this function
/// with the one-process run. Another run (on vectors spread over MPI ranks) gives the same density
/// up to rounding.
SpectralDensity spectral_density_with(
    const std::function<LanczosTridiagonal(const Eigen::VectorXd& probe)>& run_probe,
    Eigen::Index n,
    int steps,
    int probes,
    std::uint64_t seed);

}  // namespace locus
