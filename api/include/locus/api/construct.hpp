// locus/api/construct.hpp: the jobs behind `locus construct ...` and `locus path`, with typed
// requests and outcomes. Each outcome says whether the construction's prediction holds (the
// command's exit status); the interfaces write the problem files and print.
//
//   locus::api::SplitRequest r;
//   r.layer = 1;
//   r.unit = 0;
//   r.lambda = locus::Rational(1, 3);
//   const locus::api::SplitOutcome s = locus::api::construct_split(small, r);
//   locus::write_problem_file(s.big, "g1s.json");   // certificate and provenance attached
//   return s.holds() ? 0 : 1;
//
// The mathematics is in docs/math/ (Theorem S, escape paths, star locus) and docs/constructions.md.
// Every function throws locus::Error (InvalidArgument, ParseError, ...) with the message the CLI
// prints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "locus/constructions/design.hpp"
#include "locus/constructions/path.hpp"
#include "locus/constructions/split.hpp"
#include "locus/constructions/star.hpp"
#include "locus/constructions/wide.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/certificate.hpp"
#include "locus/solve/classify.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// The arithmetic a certificate is computed in: `chosen`, or (none) rational when every value the
/// network meets is exact over Q, ball:256 otherwise.
Arithmetic certified_arithmetic(const std::optional<Arithmetic>& chosen, const Network& net);

// ---- split (Theorem S) ------------------------------------------------------------------------

/// Options of `locus construct split`.
struct SplitRequest {
  int layer = 1;                         ///< hidden layer l (1-based)
  int unit = 0;                          ///< unit r (0-based)
  Rational lambda{1, 2};                 ///< the split ratio λ, exact
  std::optional<Arithmetic> arithmetic;  ///< rational or ball:BITS; none: certified_arithmetic
  std::string source;                    ///< recorded in the provenance (the input file)
};
/// A split: its spec, the Theorem S certificate and the big problem (certificate and provenance
/// attached).
struct SplitOutcome {
  constructions::SplitSpec spec;
  constructions::SplitCertificate certificate;
  Problem big;
  /// The predicted inertia was computed independently and matched, and the congruence holds.
  /// Proved only when certificate.evidence proves (a proved critical small point).
  [[nodiscard]] bool holds() const {
    return certificate.prediction_holds && certificate.congruence_holds;
  }
};
/// Splits unit `unit` of hidden layer `layer` at λ and certifies Theorem S.
/// \throws InvalidArgument for a bad layer, unit or λ, or a small point that is not critical.
SplitOutcome construct_split(const Problem& small, const SplitRequest& request);

// ---- inverse design (R1) ----------------------------------------------------------------------

/// Options of `locus construct inverse-design` (see constructions::DesignSpec).
struct DesignRequest {
  Rational epsilon{1};
  std::uint32_t seed = 0;
  int tries = 200;
  int layer = 1;
  int unit = 0;
  constructions::FTarget f_target = constructions::FTarget::Any;
  constructions::BTarget b_target = constructions::BTarget::Any;
  bool strict_minimum = false;
  int bits = 256;
  std::string source;  ///< recorded in the provenance
};
/// Targets that make the problem's point θ* an exact critical point, with the certificate of what
/// was achieved. \throws ParseError when the problem has no point (`where` names it);
/// InvalidArgument as constructions::inverse_design.
constructions::DesignResult construct_inverse_design(const Problem& base,
                                                     const DesignRequest& request,
                                                     const std::string& where);

// ---- escape path (R3, PS-4) -------------------------------------------------------------------

/// Options of `locus construct escape-path`.
struct EscapeRequest {
  int layer = 1;
  int unit = 0;
  Rational lambda{1, 2};  ///< start λ0 in (0, 1)
  int bits = 256;         ///< ball precision of the check
  std::uint32_t seed = 0;
  std::string source;
};
/// The path (a problem with a "path" member; its certificate holds the check) and its check.
struct EscapeOutcome {
  Problem path;
  constructions::PathCheck check;
  /// Certified non-increasing on every segment with a certified strict final decrease.
  [[nodiscard]] bool holds() const { return check.non_increasing && check.strict_decrease; }
};
/// \throws InvalidArgument for λ0 outside (0, 1) or a bad layer/unit.
EscapeOutcome construct_escape_path(const Problem& small, const EscapeRequest& request);

// ---- path check -------------------------------------------------------------------------------

/// What a path is expected to show.
enum class PathExpectation {
  Decrease,  ///< non-increasing on every segment, strict final decrease
  Constant,  ///< L constant on every segment
};
/// "decrease" or "constant".
std::string_view to_string(PathExpectation e) noexcept;
/// \throws InvalidArgument "--expect TEXT: expected decrease or constant".
PathExpectation parse_path_expectation(std::string_view text);

/// Options of `locus path`.
struct PathRequest {
  int bits = 256;  ///< ball precision (non-polynomial activations)
  /// none: the file's certificate.expect, else Decrease.
  std::optional<PathExpectation> expect;
  /// Also build the locus-certificate/1 of the check (a "path" fact, docs/certificates.md).
  bool certificate = false;
};
struct PathOutcome {
  constructions::PathCheck check;
  PathExpectation expect = PathExpectation::Decrease;
  bool pass = false;  ///< the certified verdicts meet the expectation
  /// With request.certificate: the certificate, or why there is none (certificate_note).
  std::optional<Certificate> certificate;
  std::string certificate_note;
};
/// \throws InvalidArgument for a missing or malformed path, or a bad certificate.expect.
PathOutcome check_path(const Problem& p, const PathRequest& request);
/// What `locus path --json` prints.
nlohmann::json to_json(const PathOutcome& outcome);

// ---- star / C-locus (R5) ----------------------------------------------------------------------

/// Options of `locus construct star`.
struct StarRequest {
  std::vector<int> zero_layers;  ///< weight layers set to 0 (1-based), at least two
  std::optional<Arithmetic> arithmetic;
  std::uint32_t seed = 0;  ///< of the third-order directions
  std::string source;
};
struct StarOutcome {
  Problem star;  ///< the star point, certificate and provenance attached
  constructions::StarCertificate certificate;
  /// ∇L = 0 exactly and the ST-2/ST-3 prediction holds.
  [[nodiscard]] bool holds() const {
    return certificate.gradient_zero && certificate.prediction_holds;
  }
};
/// \throws InvalidArgument naming the failed hypothesis (biases, σ(0) ≠ 0, layers).
StarOutcome construct_star(const Problem& base, const StarRequest& request);

// ---- wide networks (CO-0, WB-1, growth table) -------------------------------------------------

/// An interpolating point: the targets become Φ(θ), with the nullity prediction P − N·n_L.
struct GlobalMinimumOutcome {
  Problem problem;     ///< certificate and provenance attached
  bool holds = false;  ///< the certificate's prediction_holds
};
/// \throws InvalidArgument for a loss other than squared or a problem without a point.
GlobalMinimumOutcome construct_global_minimum(const Problem& base,
                                              const std::optional<Arithmetic>& arithmetic,
                                              const std::string& source);

/// WB-1 at a critical point: the nullity lower bound against the certified nullity.
struct Wb1Outcome {
  constructions::WideBound bound;
  Classification classification;  ///< the certified inertia (nullity) of the point
  /// none: the nullity is undecided; else whether nullity >= bound.
  std::optional<bool> holds;
};
/// \throws InvalidArgument when the point is not critical (WB-1 speaks of critical points).
Wb1Outcome check_wb1(const Problem& p, const std::optional<Arithmetic>& arithmetic);

/// Options of `locus construct growth-table`.
struct GrowthRequest {
  std::vector<int> widths{2, 3, 4};
  std::vector<int> layers{4, 5};  ///< numbers of weight layers L (>= 4)
  int samples = 3;
  std::uint32_t seed = 0;
};
struct GrowthOutcome {
  std::vector<constructions::GrowthRow> rows;
  bool holds = false;  ///< every nullity equals its prediction and WB-1 holds at every minimum
};
/// Nullities decided exactly over Q. \throws InvalidArgument for widths or layers out of range.
GrowthOutcome growth_table(const GrowthRequest& request);
/// The rows as `locus construct growth-table --json` prints them.
nlohmann::json to_json(const GrowthOutcome& outcome);

// ---- counterexamples --------------------------------------------------------------------------

/// A written counterexample and the command that re-checks it from the file alone.
struct CounterexampleFile {
  std::string name;     ///< file name inside the folder
  std::string recheck;  ///< e.g. "locus classify DIR/g2.json -a rational"
};
/// Regenerates every construction and counterexample into `dir` (created if needed).
std::vector<CounterexampleFile> construct_counterexamples(const std::string& dir,
                                                          std::uint32_t seed);

}  // namespace locus::api
