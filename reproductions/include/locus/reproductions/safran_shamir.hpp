// locus/reproductions/safran_shamir.hpp: spurious local minima of the ReLU teacher–student
// population loss (Safran & Shamir, "Spurious local minima are common in two-layer ReLU neural
// networks", ICML 2018; docs/reproductions.md, docs/math/population.md, docs/math/frozen.md).
//
// The paper's setting: inputs x ~ N(0, I_k), a teacher Σ_j relu(v_j·x) with orthonormal v_j (here
// v_j = e_j, which loses nothing: the Gaussian is rotation invariant), a student Σ_i relu(w_i·x)
// of n units whose output weights are fixed to 1, and the loss
//   F(W) = ½·E[(Σ_i relu(w_i·x) − Σ_j relu(v_j·x))²],
// zero at every permutation of the teacher. In locus this is the population problem [k, n, 1]
// (relu, no biases, squared loss, mean) with the output weights frozen at 1.
//
// For each k = n: runs from random initialisations (seeded), each minimised in double (L-BFGS,
// then Newton steps), sorted into global minimum, spurious minimum candidate (loss above 0,
// Hessian positive definite in double), saddle and undecided; then for distinct candidates a
// proof in Arb balls: a true critical point within a Krawczyk box, the Hessian enclosed over the
// whole box positive definite (inertia (P, 0, 0), so the critical point is a strict local
// minimum), and the loss enclosed over the box above 0 (so it is not global).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"
#include "locus/linalg/inertia.hpp"

namespace locus::reproductions {

/// The population problem of the paper for k teacher units in R^k and n student units (output
/// weights frozen at 1), at the student point `w` (n·k entries, W row by row) when given.
/// \throws InvalidArgument for k < 1, n < 1 or a point of the wrong length.
Problem safran_shamir_problem(int k, int n, const std::vector<double>& w = {});

/// How one run ended.
enum class SsOutcome { Global, Spurious, Saddle, Undecided };
/// "global", "spurious", "saddle", "undecided". Does not throw.
std::string to_string(SsOutcome outcome);

/// One run from a random initialisation, in double (evidence, not a proof).
struct SsRun {
  int index = 0;
  std::uint32_t seed = 0;
  SsOutcome outcome = SsOutcome::Undecided;
  double loss = 0;
  double gradient_norm = 0;
  double min_eigenvalue = 0;  ///< smallest Hessian eigenvalue at the end (0 when not computed)
  int evaluations = 0;
  std::vector<double> w;  ///< the end point
  std::string note;       ///< why undecided (a kink met, no convergence), else empty
};

/// A proof attempt at one spurious minimum candidate.
struct SsProof {
  int k = 0, n = 0;
  int run = 0;  ///< the run it came from
  bool proved = false;
  Inertia inertia;  ///< certified over the box when `inertia_proved`
  bool inertia_proved = false;
  std::string radius;          ///< max-norm radius of the existence box (upper bound)
  std::string contraction;     ///< Krawczyk contraction bound
  std::string loss_lower;      ///< the loss over the box is at least this (rounded down)
  std::string loss_upper;      ///< and at most this (rounded up)
  std::string min_eigenvalue;  ///< lower bound of the box Hessian's eigenvalues (rounded down)
  std::string arithmetic;      ///< "ball:BITS", the arithmetic of the proof
  std::string reason;          ///< why not proved
  std::string file;            ///< the problem file written (the refined point)
  double loss = 0;             ///< the refined point's loss in double
  double seconds = 0;
};

/// One row of the table.
struct SsRow {
  int k = 0, n = 0;
  int runs = 0;
  int global = 0, spurious = 0, saddle = 0, undecided = 0;
  int distinct = 0;  ///< distinct spurious candidates by loss value (12 significant digits)
  int proved = 0;    ///< of the proof attempts, how many proved
  int attempted = 0;
  double lowest_spurious_loss = 0;  ///< 0 when none
  double seconds = 0;
};

struct SsOptions {
  std::vector<int> sizes{6, 7, 8, 9, 10};  ///< the k = n values
  int runs = 1000;                         ///< initialisations per size
  int max_proofs = 2;  ///< proofs attempted per size (distinct candidates, lowest loss first)
  double seconds_per_size = 0;  ///< stop starting runs after this (0: no limit)
  std::uint32_t seed = 0;       ///< run r of size k uses seed + 1000·k + r
  int bits = 128;               ///< ball precision of the proofs
  int threads = 0;              ///< 0: all cores
  std::function<void(const std::string&)> progress;
};

struct SsResult {
  std::vector<SsRow> rows;
  std::vector<SsProof> proofs;
  std::vector<std::vector<SsRun>> runs;  ///< per size, in run order
  double seconds = 0;
};

/// One run: initialisation U(−√(3/k), √(3/k)) per weight (Xavier's uniform law for a k × k
/// layer), L-BFGS (NLopt) to a relative tolerance of 1e-14, then up to 20 Newton steps, then the
/// outcome from the loss and the double Hessian's eigenvalues.
SsRun safran_shamir_run(int k, int n, int index, std::uint32_t seed);

/// The proof at a run's end point: Newton in MPFR-128 to ‖∇L‖ ≤ 1e-30, the exact point, the
/// Krawczyk test, the box Hessian's certified inertia and the box loss, all in balls at `bits`.
/// Writes DIR/safran-shamir-k{k}-n{n}-run{r}.json (the problem at the refined point, with the
/// certificate) when `dir` is not empty.
SsProof prove_spurious_minimum(int k, int n, const SsRun& run, int bits, const std::string& dir);

/// Everything behind `locus reproduce safran-shamir`: the runs of every size, the proofs, and the
/// report DIR/safran-shamir.md, .csv, the minima's problem files and, with gnuplot,
/// DIR/safran-shamir.png/.svg. Returns the report's Markdown.
/// \throws Error if `dir` cannot be written.
std::string safran_shamir_reproduction(const SsOptions& options, const std::string& dir);

/// The runs and proofs without writing anything (dir empty: no files).
SsResult safran_shamir(const SsOptions& options, const std::string& dir = "");

}  // namespace locus::reproductions
