// locus/io/problem.hpp: problem files, format "locus-problem/1" docs/interfaces.md.
//
// A problem is a network, a data set and optionally a point θ, all held exactly (rationals). JSON
// numbers are read as the exact decimal they spell (a bare 0.1 is 1/10, never the double), strings
// may also hold "p/q". Only the arithmetic chosen at run time rounds them.
//
//   \code
//   locus::Problem p = locus::read_problem_file("g1.json");
//   locus::Vec<locus::Mpfr<256>> theta = p.point_as<locus::Mpfr<256>>();
//   \endcode
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "locus/core/data.hpp"
#include "locus/core/network.hpp"
#include "locus/error.hpp"
#include "locus/scalar/eigen.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// A network, its data and (optionally) a point, plus the free-form provenance and certificate
/// objects that commands write back.
struct Problem {
  Network network;
  Dataset data;
  std::optional<Vec<Rational>> point;
  nlohmann::json provenance;   ///< null when absent
  nlohmann::json certificate;  ///< null when absent
  nlohmann::json extra;        ///< other recognised optional members ("name", "description", ...)

  /// Checks shapes against the network (N >= 1, inputs n_0 columns, targets n_L columns, θ of
  /// length P) and cross-entropy targets (probability vectors: entries >= 0 summing to exactly 1).
  /// \throws ParseError naming the field, the value and the expectation.
  void validate() const;

  /// θ rounded (or enclosed) into Scalar. \throws InvalidArgument if there is no point.
  template <class Scalar>
  Vec<Scalar> point_as() const;
};

/// Parses a problem from JSON text. \p source names the text in messages (a file name).
/// \throws ParseError (malformed JSON, missing or unknown members, wrong types or shapes, numbers
///   that are not exact decimals or p/q, NaN/Inf) naming the field and the expectation.
Problem parse_problem(const std::string& text, const std::string& source = "problem");

/// Reads and parses a problem file. \throws ParseError, or Error if the file cannot be read.
Problem read_problem_file(const std::string& path);

/// The problem as JSON, every number an exact string ("p/q" or an integer): parse_problem of its
/// text gives the same problem back. Does not throw except std::bad_alloc.
nlohmann::json problem_to_json(const Problem& problem);

/// Writes problem_to_json(problem) to `path` (pretty-printed). \throws Error if it cannot be
/// written.
void write_problem_file(const Problem& problem, const std::string& path);

/// Parses JSON with every non-integer number kept as its exact source text (a JSON string), so that
/// a bare 0.1 is exactly 1/10. Integers that fit 64 bits stay integers.
/// \throws ParseError with the position on malformed JSON.
nlohmann::json parse_json_exact(const std::string& text, const std::string& source);

template <class Scalar>
Vec<Scalar> Problem::point_as() const {
  if (!point) throw InvalidArgument("the problem has no \"point\"");
  Vec<Scalar> out(point->size());
  for (Eigen::Index i = 0; i < point->size(); ++i) {
    out(i) = ScalarTraits<Scalar>::from_rational((*point)(i));
  }
  return out;
}

}  // namespace locus
