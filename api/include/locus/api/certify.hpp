// locus/api/certify.hpp: from any point to a certified verdict in one call (docs/certify.md).
//
//   1. the gradient flow dθ/dt = −∇L (SUNDIALS CVODE, BDF with the exact Hessian; solve/flow.hpp)
//      until ‖∇L‖ is small enough for Newton, or a budget runs out;
//   2. the refine job: Ceres (Levenberg–Marquardt on ∇L = 0 with the exact Hessian) in double, the
//      minimum-norm Newton iteration in MPFR, an Arb bound of ‖∇L‖ and the Krawczyk existence proof;
//   3. the classify job at the refined point (kind, inertia, certified nullity).
// Nothing is called a critical point without the rigorous gradient bound or the existence proof; a
// run that ends in a budget says where it stopped.
#pragma once

#include <optional>
#include <string>

#include "locus/api/jobs.hpp"
#include "locus/io/problem.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/flow.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// Options of `locus certify`.
struct CertifyRequest {
  FlowOptions flow;          ///< the flow's hand-off gradient and budgets (and progress display)
  RefineRequest refine;      ///< Newton's digits and arithmetic
  ClassifyRequest classify;  ///< the arithmetic that classifies the refined point
};

/// What certify found.
struct CertifyOutcome {
  FlowResult flow;               ///< the flow from the problem's point
  nlohmann::json refine;         ///< the refine job's report, started where the flow ended
  std::optional<Problem> point;  ///< the refined problem (refine's file), when Newton converged
  std::optional<Classification> classification;  ///< at the refined point
  /// True when a true critical point is proved: the Krawczyk existence proof holds at the refined
  /// point, or classify proved it (exact gradient, or proved nearby).
  bool critical_point_proved = false;
  /// When no critical point was reached: the flow followed further (from where the first one
  /// ended, with no gradient target, when the first one had stopped on its target) and what its
  /// last stretch says (growing units, saturation, growth rate, a certified decrease along the
  /// final ray).
  std::optional<FlowResult> continued;
  std::optional<FlowDivergence> divergence;
  /// One line: the kind and how sure it is, or where the run stopped and why.
  std::string verdict;
  /// max-norm distance from the problem's point to the refined point, and the loss change (double);
  /// set when a refined point exists.
  std::optional<double> distance;
  std::optional<double> loss_change;
  double seconds = 0;
};

/// Runs the three steps on p's point. `source` names it in messages and provenance.
/// \throws ParseError when p has no point; InvalidArgument for bad options (as the flow, refine
///   and classify jobs).
CertifyOutcome certify(const Problem& p, const CertifyRequest& request, const std::string& source);

/// The object `locus certify --json` prints.
nlohmann::json to_json(const CertifyOutcome& outcome);

}  // namespace locus::api
