// locus/api/jobs.hpp: one library call per job of the `locus` commands, with typed options and
// results, shared by the executable (cli/) and the Python module (python/) so that both give the
// same answers by construction. The commands parse, call these and print; nothing else. The
// construction and path jobs are in locus/api/construct.hpp, `locus eval` in locus/api/evaluate.hpp.
//
//   locus::Problem p = locus::read_problem_file("g1.json");
//   locus::api::SpectrumRequest r;
//   r.arithmetic = locus::Arithmetic{locus::ScalarKind::Rational, 0};
//   locus::api::SpectrumResult s = locus::api::analyse_spectrum(p, r);   // typed
//   nlohmann::json j = locus::api::spectrum_report(p, r);  // what `locus spectrum --json` prints
//
// Every function throws locus::Error (InvalidArgument, ParseError, ...) on bad input, with the
// message the CLI prints.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "locus/claims/claim.hpp"
#include "locus/core/derivatives.hpp"
#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"
#include "locus/linalg/spectrum.hpp"
#include "locus/scalar/arithmetic.hpp"
#include "locus/solve/certificate.hpp"
#include "locus/solve/classify.hpp"

#include <nlohmann/json.hpp>

namespace locus::api {

/// Options of `locus spectrum`.
/// "hessian", "gauss-newton" or "residual-hessian" (the names of --matrix).
std::string_view to_string(HessianPart part) noexcept;
/// Parses a --matrix name. \throws InvalidArgument naming the text and the three names.
HessianPart parse_hessian_part(std::string_view text);

/// Options of `locus spectrum`, parsed (the interfaces parse names once, at the edge).
struct SpectrumRequest {
  Arithmetic arithmetic;                   ///< default: double
  HessianPart matrix = HessianPart::Full;  ///< ∇²L, G or H
  long max_bits = 4096;
  bool kernel = false;
  bool ldlt = false;
  /// rational: exact null vectors known in advance (P × k), checked exactly and used to prove the
  /// rank (docs/math/exact-inertia.md); they imply the exact path, like `ldlt`.
  Mat<Rational> null_vectors;
  bool vectors = false;
  Eigen::Index mpfr_direct_limit = 400;
  int lanczos = 0;  ///< > 0: matrix-free Lanczos in double, the K largest and smallest
  /// Lanczos steps of the fixed-step solver; 0: the restarted solver (Spectra) to `tolerance`,
  /// or, when K + 1 >= P, the fixed-step one with P steps
  int steps = 0;
  double tolerance = 1e-10;  ///< restarted solver: relative residual of every Ritz value
  int max_restarts = 1000;   ///< restarted solver: at most this many restarts per end
  int subspace = 0;          ///< restarted solver: Krylov subspace dimension (0: max(2K + 1, 20))
  int probes = 0;            ///< > 0: also an SLQ spectral density with this many probes
  std::uint64_t seed = 0;    ///< of the Lanczos start and probe vectors
  /// --lanczos: refuse when a rank's share of the samples needs more than this many bytes
  /// (shard_bytes, locus/parallel/distributed.hpp); none: no limit.
  std::optional<std::size_t> memory_budget;
  /// --lanczos: SLEPc's Krylov–Schur on a PETSc shell matrix instead of Spectra's restarted
  /// Lanczos (`--solver slepc`; needs a build with SLEPc, docs/scaling.md)
  bool slepc = false;
  /// Also build a locus-certificate/1 of the inertia (docs/certificates.md): rational
  /// arithmetic, the Hessian; otherwise the result says why there is none.
  bool certificate = false;
};
/// What the spectrum job found (typed; to_json gives the object `locus spectrum --json` prints).
struct SpectrumResult {
  std::string arithmetic;
  SpectrumMethod method = SpectrumMethod::FloatGap;  ///< how the inertia was decided
  bool certified = false;
  /// How sure the inertia is: Evidence::of the scalar that decided it, lowered to floating-point
  /// strength unless `certified` (so it proves exactly when the inertia is certified).
  Evidence evidence;
  std::string verdict;  // certified | numerical | undecided
  Inertia inertia;
  bool zero_known = false;
  long cluster_size = -1;  ///< ball certificates: eigenvalues in [−ε, ε] (not proved zeros)
  std::vector<std::string> eigenvalues;  ///< exact text ("[m +/- r]" for balls), ascending
  /// The eigenvalues as doubles (ball midpoints rounded to nearest), in the same order.
  std::vector<double> eigenvalues_double;
  /// Ball certificates only: radii (rounded up) such that eigenvalues_double[i] ± radii[i]
  /// contains the i-th eigenvalue; empty for floating arithmetics (no error bound).
  std::vector<double> eigenvalue_radii;
  std::string gap = "";  // ratio of the smallest |λ| outside the cluster to the largest inside
  std::string epsilon, delta, tolerance;
  long bits = 0;
  std::vector<long> tried_bits;
  long refined = -1;
  long numerical_nullity = -2;  // -2: not a float method; -1: R7 found no gap
  std::string reason;
  std::string proved_by;
  std::vector<std::vector<std::string>> kernel;
  std::vector<std::vector<std::string>> vectors;
  std::string eigenvalue_note;
  /// When requested and available: the certificate of the inertia (docs/certificates.md);
  /// otherwise certificate_note says why there is none.
  std::optional<Certificate> certificate;
  std::string certificate_note;
};

/// Null vectors from JSON: an array of columns, or an object with such an array under "kernel"
/// (what `locus spectrum --kernel --json` prints), every entry an exact number as text or a JSON
/// integer. \throws ParseError naming the column and entry that is not an exact number, and
///   InvalidArgument when a column's length is not `p`.
Mat<Rational> parse_null_vectors(const nlohmann::json& j, Eigen::Index p);
/// parse_null_vectors of a JSON file (bare decimals are read exactly). \throws Error if it cannot be
///   read, ParseError with the position on malformed JSON, and as parse_null_vectors.
Mat<Rational> read_null_vectors_file(const std::string& path, Eigen::Index p);

/// Checks the options (max_bits >= 2).
/// \throws InvalidArgument naming the option and what it accepts.
void validate(const SpectrumRequest& request);
/// \throws ParseError "WHERE: point: missing; NEED (P = ... numbers)" when the problem has no
///   point (`need` says which command needs it and what for).
void require_point(const Problem& p, const std::string& where, std::string_view need);
/// Eigenvalues and inertia in the request's arithmetic. Guarantee: `certified` only when the
/// arithmetic is exact or balls and the decision is proved (exact LDLᵀ, or the ball-cluster
/// certificate); floating arithmetics give numerical evidence. \throws as validate and LossFunction.
SpectrumResult analyse_spectrum(const Problem& p, const SpectrumRequest& request);
/// The object `locus spectrum --json` prints for a result.
nlohmann::json to_json(const SpectrumResult& r,
                       const SpectrumRequest& request,
                       const Problem& p,
                       double seconds);
/// Matrix-free Lanczos (and SLQ density) in double: `locus spectrum --lanczos K --json`.
/// \throws InvalidArgument unless arithmetic is double and matrix is hessian.
nlohmann::json lanczos_report(const Problem& p, const SpectrumRequest& request);
/// The object `locus spectrum --json` prints ("seconds" included).
/// \throws ParseError when the problem has no point; InvalidArgument for bad options.
nlohmann::json spectrum_report(const Problem& p, const SpectrumRequest& request);

/// Options of `locus classify`.
struct ClassifyRequest {
  Arithmetic arithmetic = Arithmetic::ball(256);
  long max_bits = 4096;
  std::optional<Rational> gradient_tolerance;  ///< none: the default 2^(-BITS/4); must be >= 0
};
/// classify_point in the request's arithmetic. `where` names the problem in messages.
/// Guarantee: the result's evidence proves only a certified classification (docs/math/rigour.md).
/// \throws ParseError when the problem has no point; InvalidArgument for a bad arithmetic or a
///   negative gradient tolerance.
Classification classify(const Problem& p, const ClassifyRequest& request, const std::string& where);
/// The object `locus classify --json` prints for a classification.
nlohmann::json to_json(const Classification& c, double seconds);
/// The object `locus classify --json` prints.
nlohmann::json classify_report(const Problem& p, const ClassifyRequest& request);

/// Options of `locus refine`.
struct RefineRequest {
  int digits = 100;
  /// Newton's arithmetic; none: the smallest built MPFR with >= 1.5·digits·log2(10) bits.
  std::optional<Arithmetic> arithmetic;
  bool ceres = true;
  bool least_squares = false;
  int max_iterations = 60;         ///< Newton's iterations
  int ceres_max_iterations = 200;  ///< Ceres' iterations
  /// Newton's wall-clock budget (no new iteration after it); infinite by default.
  double max_seconds = std::numeric_limits<double>::infinity();
};
struct RefineOutcome {
  nlohmann::json report;           ///< what `locus refine --json` prints (without "out")
  std::optional<Problem> refined;  ///< the problem `locus refine` writes (when Newton converged)
  /// When Newton stopped short: the best point reached, with no certificate and a provenance
  /// whose `status` and `note` say it is not a critical point (for inspection and classify).
  std::optional<Problem> stopped;
  /// When the existence proof succeeded with a box of positive radius: its locus-certificate/1
  /// (docs/certificates.md); otherwise certificate_note says why there is none.
  std::optional<Certificate> certificate;
  std::string certificate_note;
};
/// The arithmetic refine will use (the request's, or the default for its digits).
/// \throws InvalidArgument for digits outside 1..300 or an exact/ball arithmetic.
Arithmetic checked_arithmetic(const RefineRequest& request);
/// Refines p's point. `source` names it in messages and in the refined problem's provenance.
/// Guarantee: `refined` is set only when Newton converged; its certificate holds an Arb bound of
/// ‖∇L‖ at the exact refined point and the Krawczyk existence proof (proved or not, with why).
/// \throws ParseError when p has no point; InvalidArgument as checked_arithmetic.
RefineOutcome refine_checked(const Problem& p,
                             const RefineRequest& request,
                             const std::string& source);
/// `source` is recorded in the refined problem's provenance (the CLI: the input file's path).
RefineOutcome refine_report(const Problem& p,
                            const RefineRequest& request,
                            const std::string& source);

/// Options of `locus check` (the report part).
struct CheckRequest {
  std::vector<std::string> claims;  ///< ids, a trailing * matches a prefix; empty: all
  std::string source;
  bool quick = false;
  bool float_only = false;
  unsigned seed = 0;
  int threads = 0;                                   ///< 0: all cores
  claims::Mutation mutate = claims::Mutation::None;  ///< a planted fault (docs/checking.md)
  std::string counterexamples = "counterexamples";
  /// Write the certificates of proved claims into this directory ("" = none; docs/certificates.md).
  std::string certificates;
};
/// The registered claims whose id matches one of `claims` (a trailing * matches a prefix; empty:
/// all) and whose source or id contains `source` (empty: any).
std::vector<const claims::Claim*> select(const std::vector<std::string>& claims,
                                         const std::string& source);
/// \throws InvalidArgument naming the patterns when `selected` is empty.
void require_some(const std::vector<const claims::Claim*>& selected,
                  const std::vector<std::string>& claims,
                  const std::string& source);
/// The runner's context of a request (seed, quick, float-only, planted fault, counterexample dir).
claims::Context context_of(const CheckRequest& request);
/// Runs the selected claims on `threads` workers; `progress` (serialised) after each, with the
/// number of claims done so far.
std::vector<claims::ClaimResult> run_selected(
    const std::vector<const claims::Claim*>& selected,
    const claims::Context& ctx,
    int threads,
    const std::function<void(std::size_t, const claims::ClaimResult&)>& progress);
/// `requested`, or every core when it is 0.
int thread_count(int requested);
/// The object `locus check --json FILE` writes for these results.
nlohmann::json results_json(const std::vector<claims::ClaimResult>& results,
                            unsigned seed,
                            bool quick,
                            double seconds);
/// What a run of claims prints besides its results: the settings in the header line and the
/// totals in the footer.
struct CheckRun {
  unsigned seed = 0;
  bool quick = false;
  bool float_only = false;
  claims::Mutation mutation = claims::Mutation::None;
  int threads = 1;
  double seconds = 0;
};
/// The text `locus check` prints for these results (and `python3 -m locus check` for a claims
/// file): the header line, the table, the failing or refuted claims with their detail and
/// counterexample file, and the closing line "N passed, M failed".
std::string check_table(const std::vector<claims::ClaimResult>& results, const CheckRun& run);
/// The JUnit XML `--junit FILE` writes (one testcase per claim; a failure when not as expected).
std::string check_junit(const std::vector<claims::ClaimResult>& results,
                        const CheckRun& run,
                        const std::string& suite);
/// Runs the selected claims; returns the object `locus check --json FILE` writes. `progress`, when
/// set, is called after each claim (from the worker threads, serialised).
/// \throws InvalidArgument when no claim matches.
nlohmann::json check_report(const CheckRequest& request,
                            const std::function<void(const std::string&)>& progress = {});

}  // namespace locus::api
