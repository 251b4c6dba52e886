// locus/parallel/slepc.hpp: extreme eigenvalues of the Hessian of a loss whose samples are spread
// over the MPI ranks, by SLEPc's Krylov–Schur on a PETSc shell matrix whose product is the
// distributed Hessian-vector product (docs/scaling.md). Optional: built when SLEPc is found
// (Debian's slepc-dev) together with MPI.
#pragma once

#include <cstdint>
#include <vector>

#include "locus/linalg/lanczos.hpp"
#include "locus/parallel/distributed.hpp"

namespace locus {

/// True when locus was built with SLEPc.
bool slepc_built() noexcept;

/// What slepc_extreme_eigenvalues found.
struct SlepcEigenvalues {
  std::vector<double> values;     ///< the converged eigenvalues, outermost first (at most k)
  std::vector<double> residuals;  ///< ‖H x − λ x‖ for each unit eigenvector x (SLEPc's absolute
                                  ///< error): some eigenvalue lies within it (numerical evidence)
  bool converged = false;         ///< k eigenpairs converged to the tolerance
  int iterations = 0;             ///< Krylov–Schur restarts
  long products = 0;              ///< Hessian-vector products of the solve
  long checks = 0;                ///< and those that recomputed the residuals after it
  int subspace = 0;               ///< the basis dimension SLEPc used (ncv)
  std::uint64_t seed = 0;
};

/// The k largest or smallest eigenvalues of ∇²L(θ) by Krylov–Schur (EPSKRYLOVSCHUR, symmetric
/// problem), from a seeded Gaussian start vector, to SLEPc's relative tolerance `tolerance` within
/// `max_iterations` restarts, on a basis of `subspace` vectors (ncv; 0: SLEPc's default,
/// max(2k, k + 15)). Collective: every rank calls it with the same arguments and gets the same
/// result. Initialises SLEPc (and MPI, as a single process, when not started by mpirun) on
/// first use; it is finalised with the MpiSession. \throws InvalidArgument unless 1 <= k < P;
/// UnsupportedScalar ("built without SLEPc") when slepc_built() is false; Error for a PETSc or
/// SLEPc failure (its message).
SlepcEigenvalues slepc_extreme_eigenvalues(const DistributedLoss<double>& loss,
                                           const Vec<double>& theta,
                                           int k,
                                           SpectrumEnd end,
                                           double tolerance,
                                           int max_iterations,
                                           std::uint64_t seed,
                                           int subspace = 0);

/// The stochastic Lanczos quadrature of ∇²L(θ) (spectral_density_with: the same probes and
/// quadrature as one process) with its Lanczos runs on PETSc vectors spread over the ranks: each
/// rank holds P/R rows of the basis, the products are those of the PETSc shell matrix of
/// slepc_extreme_eigenvalues, and the inner products and reorthogonalisation are PETSc's
/// (VecMDot, VecMAXPY). Collective, like slepc_extreme_eigenvalues. \throws as it does.
SpectralDensity slepc_spectral_density(const DistributedLoss<double>& loss,
                                       const Vec<double>& theta,
                                       int steps,
                                       int probes,
                                       std::uint64_t seed);

}  // namespace locus
