// locus/solve/refine.hpp: taking a candidate point to a critical point.
//
//   ceres_polish   double, Ceres Solver (Levenberg-Marquardt): residuals ∇L(θ) with the exact
//                  Hessian as Jacobian, so saddles are found too; or, for the squared loss, the
//                  classical least-squares residuals f(x_i) − y_i (minima only).
//   newton_refine  any floating scalar (MPFR for 100+ digits): minimum-norm Newton steps
//                  δ = −H⁺∇L, the pseudo-inverse from a double eigendecomposition (with the R7
//                  cut) refined to the working precision with Hessian-vector products; when
//                  that stagnates (small eigenvalues below double's resolution), the same from a
//                  float128 eigendecomposition. Quadratic
//                  convergence also onto manifolds of degenerate critical points; stagnation is
//                  reported as such (a gradient-flat region is not a critical point).
// No Ceres type appears here: the report is locus's own.
#pragma once

#include <limits>
#include <string>
#include <vector>

#include "locus/core/derivatives.hpp"

namespace locus {

/// What Ceres minimises: ½‖∇L‖² (any loss), or the residuals of a squared loss.
enum class PolishFormulation { Gradient, LeastSquares };

/// Options of ceres_polish.
struct PolishOptions {
  PolishFormulation formulation = PolishFormulation::Gradient;
  int max_iterations = 200;
  double gradient_tolerance = 1e-14;   ///< Ceres' gradient_tolerance (on ½‖r‖²'s gradient)
  double function_tolerance = 1e-16;   ///< Ceres' relative cost change tolerance
  double parameter_tolerance = 1e-16;  ///< Ceres' relative step tolerance
  int threads = 0;                     ///< 0: all cores
};

/// What ceres_polish did (double precision: evidence, never a proof).
struct PolishReport {
  bool available = true;    ///< false when locus was built without Ceres
  bool usable = false;      ///< Ceres returned a usable solution
  std::string formulation;  ///< "gradient" or "least-squares"
  std::string termination;  ///< CONVERGENCE, NO_CONVERGENCE, FAILURE, USER_SUCCESS, ...
  std::string message;      ///< Ceres' message
  int iterations = 0;
  double initial_cost = 0;  ///< ½‖r‖² at the start
  double final_cost = 0;
  double initial_gradient_norm = 0;  ///< ‖∇L‖ before and after (double)
  double final_gradient_norm = 0;
  double seconds = 0;
  Vec<double> theta;  ///< the polished point (the start if Ceres failed)
};

/// Polishes θ in double with Ceres. Never throws for a Ceres failure: the report says so.
/// \throws InvalidArgument for a θ of the wrong length or with NaN/Inf entries, or the
///   least-squares formulation with a cross-entropy loss.
PolishReport ceres_polish(const Network& network,
                          const Dataset& data,
                          const Vec<double>& theta,
                          const PolishOptions& options = {});

/// Why newton_refine stopped.
enum class NewtonStatus { Converged, Stagnated, MaxIterations };
/// "converged", "stagnated", "max-iterations" (the JSON values). Does not throw.
std::string to_string(NewtonStatus status);

/// Options of newton_refine.
struct NewtonOptions {
  int digits = 100;  ///< stop when ‖∇L‖ <= 10^-digits
  int max_iterations = 60;
  int max_inner = 60;  ///< refinement steps of each linear solve
  /// Wall-clock budget: no new iteration starts after this many seconds (status max-iterations,
  /// the reason says so). Infinite by default.
  double max_seconds = std::numeric_limits<double>::infinity();
};

/// One Newton iteration, as decimal strings (values far below double's range are common).
struct NewtonRecord {
  int iteration = 0;
  std::string gradient_norm;   ///< ‖∇L(θ_k)‖ before the step
  std::string step_norm;       ///< ‖δ_k‖
  long rank = 0;               ///< rank of the pseudo-inverse used
  std::string preconditioner;  ///< arithmetic of its eigendecomposition: double, then float128
  int inner = 0;               ///< refinement steps of the linear solve
};

/// What newton_refine reached. Rounded arithmetic: `gradient_norm` is computed, not bounded; the
/// existence of a nearby critical point is proved separately (prove_critical_point).
template <class Scalar>
struct NewtonResult {
  NewtonStatus status = NewtonStatus::MaxIterations;
  Vec<Scalar> theta;
  Scalar gradient_norm;  ///< at the returned θ
  Scalar loss;
  std::vector<NewtonRecord> history;
  int precision_bits = 0;  ///< significand bits of Scalar
  std::string reason;      ///< why it stopped
  /// Stagnated because the steps stopped shrinking while ‖θ‖ grew: θ runs off along a flat
  /// region (saturating units, separable data), whatever the arithmetic.
  bool runs_off = false;
};

/// Minimum-norm Newton on ∇L = 0 in the arithmetic Scalar (double, long double, float128, MPFR).
/// Guarantee: status Converged means the computed ‖∇L‖ at the returned θ is <= 10^-digits in
/// Scalar; otherwise `reason` says why it stopped and θ is the best point reached. Never throws
/// for non-convergence.
/// \throws InvalidArgument for a θ of the wrong length or with non-finite entries;
///   UnsupportedScalar / NotDifferentiable as LossFunction.
template <class Scalar>
NewtonResult<Scalar> newton_refine(const Network& network,
                                   const Dataset& data,
                                   Vec<Scalar> theta,
                                   const NewtonOptions& options = {});

}  // namespace locus
