// locus/api/search.hpp: searching a claim's family for a certified counterexample (docs/search.md).
//
// A search has three phases, all within explicit budgets (seconds, restarts, evaluations):
//
//   1. restarts: candidates drawn from seeds seed, seed + 1, ... (architecture, data, point and
//      the claim's own knobs), each polished to where the claim looks (a critical point, for
//      claims about critical points) and scored by a floating-point violation margin (< 0: the
//      claim looks violated). A candidate with a negative margin is certified at once.
//   2. optimisation: from the best candidates, NLopt's derivative-free Sbplx moves the data (and
//      the knobs, and θ for claims not about critical points) to drive the margin below zero,
//      re-polishing at every evaluation; the end point is certified.
//   3. shrinking: while the violation stays certified, drop samples, drop hidden units, drop
//      knobs where the claim allows it, round the data and knobs to short rationals (all at once,
//      then one entry at a time; θ too, where it is not polished).
//
// Only the claim's certified check can make a counterexample: the margin steers, it never
// decides. The outcome carries the counterexample problem (with provenance: claim, seeds, the
// violation, the command that re-checks it) and the log of everything tried.
//
//   auto space = locus::api::builtin_search_space("split.always-minimum");
//   locus::api::SearchOptions o;
//   o.seed = 1;
//   const locus::api::SearchOutcome s = locus::api::search(*space, o);
//   if (s.found) locus::write_problem_file(*s.counterexample, "ce.json");
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "locus/claims/claim.hpp"
#include "locus/io/problem.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// One candidate: a problem (network, data, point) and the claim's own continuous knobs (e.g. the
/// split ratio λ), with the seed it was drawn from.
struct SearchCandidate {
  Problem problem;
  std::vector<double> knobs;
  std::uint32_t seed = 0;
  std::string origin;  ///< how it was made ("random initialisation", "embedded [1, 1, 1]", ...)
};

/// What a claim offers to the search.
struct SearchSpace {
  std::string claim;  ///< the claim's id
  std::string statement;
  std::string family;  ///< the space searched, in words
  /// A random candidate from a seed (deterministic). May throw: the restart is logged and skipped.
  std::function<SearchCandidate(std::uint32_t seed)> sample;
  /// The candidate moved to where the claim looks (cheap, double; warm-started from its point):
  /// none when it cannot be (Newton failed). Unset: candidates are used as they are.
  std::function<std::optional<SearchCandidate>(const SearchCandidate&)> polish;
  /// The violation margin in floating point: < 0 means "looks violated" (it steers, never
  /// decides).
  std::function<double(const SearchCandidate&)> margin;
  /// The margin's parts in words, for the log (optional).
  std::function<std::string(const SearchCandidate&)> explain;
  /// The claim's certified check of a polished candidate: holds = false with
  /// evidence.proves() is a certified violation; `counterexample` is the problem to write.
  std::function<claims::InstanceResult(const SearchCandidate&)> certify;
  /// Knob bounds (one pair per knob) for the optimiser and for rounding.
  std::vector<std::pair<double, double>> knob_bounds;
  bool move_point = false;  ///< the optimiser and the rounding move θ (not polished)
  int min_samples = 1;      ///< shrinking keeps at least this many samples
  /// Shrinking keeps at least this many units in each hidden layer (the claim's hypothesis, e.g.
  /// width >= N − 1, is the certify callback's to check).
  int min_units = 1;
  /// Shrinking drops knobs down to this many (e.g. the splits of an embedding); SIZE_MAX: never.
  std::size_t min_knobs = static_cast<std::size_t>(-1);
};

/// Budgets and settings of a search (every one explicit and printed).
struct SearchOptions {
  std::uint32_t seed = 0;
  int restarts = 40;                ///< candidates drawn in phase 1
  double max_seconds = 60;          ///< wall clock for phases 1 and 2
  int optimiser_runs = 3;           ///< phase 2 starts from this many of the best candidates
  int optimiser_evaluations = 200;  ///< per optimiser run
  double target_margin = 1e-3;      ///< the optimiser stops below −target_margin
  bool shrink = true;
  double shrink_seconds = 60;  ///< wall clock for phase 3
  int max_denominator = 256;   ///< rounding tries denominators 1, 2, 4, ..., this
};

/// One line of the search log.
struct SearchTry {
  std::string phase;  ///< "restart", "optimise", "certify", "shrink"
  std::uint32_t seed = 0;
  double margin = 0;  ///< NaN when not computed
  std::string note;
  double seconds = 0;  ///< since the start of the search
};

struct SearchOutcome {
  std::string claim;
  bool found = false;                     ///< a certified counterexample
  std::optional<Problem> counterexample;  ///< after shrinking; provenance attached
  claims::InstanceResult certificate;     ///< the certified check of the counterexample
  std::uint32_t found_seed = 0;
  std::string found_in;  ///< the phase that found it
  std::string origin;    ///< how the counterexample's candidate was made
  double best_margin = 0;
  int restarts = 0, evaluations = 0, certifications = 0;
  double seconds_to_find = -1;  ///< wall clock until the first certified violation
  double seconds = 0;
  std::vector<std::string> shrink_steps;  ///< accepted moves, in order
  long samples_before = 0, samples_after = 0, parameters_before = 0, parameters_after = 0;
  std::vector<SearchTry> log;
};

/// Runs the search. `progress`, when set, receives one line per logged try.
/// \throws InvalidArgument for budgets that are not positive.
SearchOutcome search(const SearchSpace& space,
                     const SearchOptions& options,
                     const std::function<void(const std::string&)>& progress = {});

/// The object `locus search --json` prints (the log included).
nlohmann::json to_json(const SearchOutcome& outcome, const SearchOptions& options);

/// The polish of claims about critical points, in double from the candidate's point: Newton when
/// ‖∇L‖ <= 1e-2 (warm starts), otherwise (or when it fails) gradient descent while ‖∇L‖ > 1e-4,
/// then Newton. \throws InvalidArgument saying why when Newton does not
/// converge or θ runs off (|θ| > 1e3, saturation).
SearchCandidate polish_to_critical_point(const SearchCandidate& c);

/// The search space of a registered claim, or none when the claim has none.
std::optional<SearchSpace> builtin_search_space(const std::string& claim_id);
/// The ids of the registered claims that have a search space.
std::vector<std::string> searchable_claims();

}  // namespace locus::api
