// locus/claims/claim.hpp: checkable claims about critical points, as data, and their verdicts.
//
// A claim has an id, a statement, its source (paper, section, and the status tag of docs/claims.md
// [A]/[P]/[R]/[D]/[V]), a seeded instance family, the quantity it computes, the check, the
// expected outcome ("proved", or "refuted" for a false statement kept in the suite), and the
// arithmetic it needs. Running a claim runs every instance:
//
//   proved        every instance decided in exact or ball arithmetic, the statement held on all
//   refuted       some instance certifiably violates the statement (a counterexample, written to
//                 a problem file when the claim has one)
//   evidence      the statement held, but some instance used floating point only
//   inconclusive  some instance could not be decided (precision cap, undecided inertia, a failed
//                 construction), and none refuted
//
// A claim passes when its verdict is the expected one. No floating-point computation can make a
// verdict "proved": an instance counts as certified only when its arithmetic is rational or
// ball:BITS.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/scalar/rigour.hpp"
#include "locus/solve/certificate.hpp"

#include <nlohmann/json.hpp>

namespace locus::claims {

enum class Verdict { Proved, Refuted, Evidence, Inconclusive };
std::string to_string(Verdict v);

/// Faults planted on purpose (mutation tests): each must turn the relevant verdict away from
/// "proved".
enum class Mutation {
  None,
  PerturbPoint,  ///< move the constructed critical point by 1e-20 in one coordinate
  FlipResidual,  ///< the prediction uses the residual sign convention y − f instead of f − y
  ShiftBound,    ///< a predicted count (nullity, inertia) off by one
};
Mutation parse_mutation(const std::string& s);
std::string to_string(Mutation m);

struct Context {
  std::uint32_t seed = 0;
  bool quick = false;
  bool force_float = false;  ///< run every instance in double: must never give "proved"
  Mutation mutation = Mutation::None;
  std::string counterexample_dir;  ///< where refuting instances are written ("" = not written)
  /// Where the certificates of proved claims are written ("" = none are built): `locus check
  /// --certificates DIR` (docs/certificates.md).
  std::string certificate_dir;
  /// The command that ran the claims, recorded in a counterexample's provenance.
  std::string command = "locus check";

  /// The arithmetic an instance should use: `certified` (rational or ball:BITS), or IEEE double
  /// (the default Arithmetic) when force_float is set.
  [[nodiscard]] Arithmetic arithmetic(const Arithmetic& certified) const {
    return force_float ? Arithmetic{} : certified;
  }
};

/// One instance's outcome.
struct InstanceResult {
  bool decided = false;  ///< the check reached a yes/no answer
  bool holds = false;    ///< the claim's statement holds on this instance (when decided)
  /// What decided it: its rigour comes from the scalar type of the computation (Evidence::of<S>),
  /// never from a name, so a floating-point computation cannot make the instance a proof.
  Evidence evidence;
  double margin = 0;  ///< distance from the boundary (claim-specific; +inf for exact)
  std::string detail;
  std::optional<Problem> counterexample;
  /// When Context::certificate_dir is set: locus-certificate/1 certificates of the facts the
  /// instance's "holds" rests on (empty when the claim does not build them yet).
  std::vector<Certificate> certificates;
  /// What of the instance's statement the certificates leave out (empty: nothing), e.g. a
  /// degenerate minimum whose kind rests on a Morse–Bott argument.
  std::string not_certified;
};

struct Claim {
  std::string id;
  std::string statement;
  std::string source;  ///< paper and section
  std::string status;  ///< [A], [P], [R], [D], [V] (docs/claims.md)
  std::string family;  ///< the instance generator, in words
  std::string quantity;
  std::string check;
  std::string expected = "proved";
  std::string arithmetic;  ///< what the claim needs
  std::string margin_meaning;
  int instances = 10;
  int quick_instances = 2;
  std::function<InstanceResult(const Context&, std::uint32_t seed)> run;
  /// The planted faults that apply to this claim: each must turn its verdict away from the
  /// expected one (tests/claims). perturb-point applies wherever the hypothesis is a constructed
  /// critical point that a 1e-20 move makes non-critical; it is not listed for the G1/G7 claims
  /// (their statements are about the critical point Krawczyk proves next to the refined point,
  /// which such a move keeps), the C-locus claims (a weight moved in one of three zero layers
  /// leaves two, so the point stays critical by ST-1; their check builds the star point itself),
  /// the global-minimum construction (its point is built and certified inside global_minimum) or
  /// the swap path (no critical-point hypothesis).
  std::vector<Mutation> faults;
};

/// Every registered claim, in a fixed order.
const std::vector<Claim>& registry();

struct ClaimResult {
  std::string id, source, expected;
  Verdict verdict = Verdict::Inconclusive;
  bool pass = false;
  double margin = 0;
  std::string arithmetic;
  std::uint32_t seed = 0;
  int instances = 0;
  double seconds = 0;
  std::string detail;
  std::string counterexample_file;
  /// With Context::certificate_dir, for a proved claim: the certificate files written, and how
  /// many proved instances came without one.
  std::vector<std::string> certificate_files;
  int instances_without_certificate = 0;
  /// Proved instances whose certificates cover only part of the statement.
  int instances_partly_certified = 0;
  /// What the certificates leave out, each distinct InstanceResult::not_certified once.
  std::vector<std::string> certificate_gaps;
};

/// Runs `work` on `threads` threads (the calling one included) and joins them. Each worker
/// thread frees FLINT's per-thread caches before it exits (LeakSanitizer reports them otherwise).
void run_workers(int threads, const std::function<void()>& work);

/// Runs one claim (its instances on up to `threads` threads).
ClaimResult run_claim(const Claim& claim, const Context& ctx, int threads = 1);

nlohmann::json to_json(const ClaimResult& r);

/// Markdown documentation of the registry (docs/claims.md is generated from it).
std::string registry_markdown();

}  // namespace locus::claims
