// locus/cli/reports.hpp: the results of the `locus` commands as JSON objects, for the executable
// and for the Python module (python/), so that both give the same answers by construction.
//
//   locus::Problem p = locus::read_problem_file("g1.json");
//   locus::cli::SpectrumRequest r;
//   r.arithmetic = "rational";
//   nlohmann::json j = locus::cli::spectrum_report(p, r);  // what `locus spectrum --json` prints
//
// Every function throws locus::Error (InvalidArgument, ParseError, ...) on bad input, with the
// message the CLI prints.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "locus/io/problem.hpp"

#include <nlohmann/json.hpp>

namespace locus::cli {

/// Options of `locus spectrum`.
struct SpectrumRequest {
  std::string arithmetic = "double";
  std::string matrix = "hessian";  ///< hessian, gauss-newton or residual-hessian
  long max_bits = 4096;
  bool kernel = false;
  bool ldlt = false;
  bool vectors = false;
  Eigen::Index mpfr_direct_limit = 400;
  int lanczos = 0;         ///< > 0: matrix-free Lanczos in double, the K largest and smallest
  int steps = 0;           ///< Lanczos steps (0: max(3K, 40))
  int probes = 0;          ///< > 0: also an SLQ spectral density with this many probes
  std::uint64_t seed = 0;  ///< of the Lanczos start and probe vectors
};
/// The object `locus spectrum --json` prints ("seconds" included).
/// \throws ParseError when the problem has no point; InvalidArgument for bad options.
nlohmann::json spectrum_report(const Problem& p, const SpectrumRequest& request);

/// Options of `locus classify`.
struct ClassifyRequest {
  std::string arithmetic = "ball:256";
  long max_bits = 4096;
  std::string gradient_tolerance;  ///< empty: the default 2^(-BITS/4)
};
/// The object `locus classify --json` prints.
nlohmann::json classify_report(const Problem& p, const ClassifyRequest& request);

/// Options of `locus refine`.
struct RefineRequest {
  int digits = 100;
  std::string arithmetic;  ///< empty: the smallest built MPFR with >= 1.5·digits·log2(10) bits
  bool ceres = true;
  bool least_squares = false;
  int max_iterations = 60;
};
struct RefineOutcome {
  nlohmann::json report;           ///< what `locus refine --json` prints (without "out")
  std::optional<Problem> refined;  ///< the problem `locus refine` writes (when Newton converged)
};
/// `source` is recorded in the refined problem's provenance (the CLI: the input file's path).
RefineOutcome refine_report(const Problem& p,
                            const RefineRequest& request,
                            const std::string& source);

/// `locus construct split`: the big problem at θ_λ with the Theorem S certificate
/// (`certificate`) and provenance. `arithmetic` empty: rational when the network is exact over Q,
/// ball:256 otherwise.
Problem split_report(const Problem& small,
                     int layer,
                     int unit,
                     const std::string& lambda,
                     const std::string& arithmetic,
                     const std::string& source);

/// Options of `locus check` (the report part).
struct CheckRequest {
  std::vector<std::string> claims;  ///< ids, a trailing * matches a prefix; empty: all
  std::string source;
  bool quick = false;
  bool float_only = false;
  unsigned seed = 0;
  int threads = 0;  ///< 0: all cores
  std::string mutate = "none";
  std::string counterexamples = "counterexamples";
};
/// Runs the selected claims; returns the object `locus check --json FILE` writes. `progress`, when
/// set, is called after each claim (from the worker threads, serialised).
/// \throws InvalidArgument when no claim matches.
nlohmann::json check_report(const CheckRequest& request,
                            const std::function<void(const std::string&)>& progress = {});

}  // namespace locus::cli
