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
#include <vector>

#include "locus/api/jobs.hpp"
#include "locus/io/problem.hpp"
#include "locus/solve/certificate.hpp"
#include "locus/solve/classify.hpp"
#include "locus/solve/flow.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// Options of `locus certify`.
struct CertifyRequest {
  /// The flow's defaults for certify: hand-off at ‖∇L‖ <= 1e-6, 20 s of wall clock for all legs
  /// and the refine attempts between them, a step budget that the seconds reach first.
  static FlowOptions default_flow() {
    FlowOptions f;
    f.target_gradient = 1e-6;
    f.max_seconds = 20;
    f.max_steps = 1000000;
    return f;
  }
  /// The first hand-off gradient and the budgets of the whole flow, all legs together (and the
  /// progress display).
  FlowOptions flow = default_flow();
  RefineRequest refine;      ///< Newton's digits and arithmetic
  ClassifyRequest classify;  ///< the arithmetic that classifies the refined point
  /// Also build the locus-certificate/1 of the classification at the refined point
  /// (classification_certificate; docs/certificates.md).
  bool certificate = false;
};

/// One leg of the flow, and what refine said where it ended.
struct CertifyStage {
  double target_gradient = 0;  ///< the leg's hand-off ‖∇L‖
  FlowStatus status = FlowStatus::SolverFailure;
  FlowSample start, end;      ///< flow time counted from the start of the whole flow
  std::string refine_status;  ///< Newton's status from the leg's end ("converged", ...)
  std::string refine_reason;
};

/// What certify found.
struct CertifyOutcome {
  /// The whole flow from the problem's point: every leg, with flow time counted from the start
  /// (history and θ at each recorded point included).
  FlowResult flow;
  /// The legs. Refine is tried where each leg ends. When Newton finds no critical point there
  /// and the leg had reached its gradient target, the flow goes on with a target 100 times
  /// smaller (a plateau is not a critical point), while the budgets last.
  std::vector<CertifyStage> stages;
  nlohmann::json refine;         ///< the last refine job's report
  std::optional<Problem> point;  ///< the refined problem (refine's file), when Newton converged
  /// When no critical point was reached: the best point (where the flow ended), with no
  /// certificate and a provenance that says it is not a critical point.
  std::optional<Problem> stopped;
  std::optional<Classification> classification;  ///< at the refined point
  /// True when a true critical point is proved: the Krawczyk existence proof holds at the refined
  /// point, or classify proved it (exact gradient, or proved nearby).
  bool critical_point_proved = false;
  /// When no critical point was reached: what the flow's last stretch says (growing units,
  /// saturation, growth rate, a certified decrease along the final ray).
  std::optional<FlowDivergence> divergence;
  /// One line: the kind and how sure it is, or where the run stopped and why.
  std::string verdict;
  /// max-norm distance from the problem's point to the refined point, and the loss change (double);
  /// set when a refined point exists.
  std::optional<double> distance;
  std::optional<double> loss_change;
  double seconds = 0;
  /// With request.certificate: the certificate, or why there is none (certificate_note).
  std::optional<Certificate> certificate;
  std::string certificate_note;
};

/// Runs the three steps on p's point. `source` names it in messages and provenance.
/// \throws ParseError when p has no point; InvalidArgument for bad options (as the flow, refine
///   and classify jobs).
CertifyOutcome certify(const Problem& p, const CertifyRequest& request, const std::string& source);

/// The object `locus certify --json` prints.
nlohmann::json to_json(const CertifyOutcome& outcome);

}  // namespace locus::api
