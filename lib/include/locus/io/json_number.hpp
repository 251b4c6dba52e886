// locus/io/json_number.hpp: one exact number from a JSON value (for the optional members that
// commands read back: tangent bases, path vertices).
#pragma once

#include <string>

#include "locus/scalar/eigen.hpp"
#include "locus/scalar/rational.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// A JSON string ("1/3", "0.1") or number (parsed from its text, so 0.1 is exactly 1/10) as an
/// exact rational.
/// \throws InvalidArgument naming `where` when v is neither; ParseError for text that is not a
///   decimal or p/q.
Rational rational_from_json(const nlohmann::json& v, const std::string& where);

/// A JSON list of vectors of `length` exact numbers each (a tangent basis, path vertices) as the
/// columns of a length × count matrix.
/// \throws InvalidArgument naming `where` (and the index) for a value that is not a list, a vector
///   of another length, or an entry that is neither a number nor a string; ParseError for text
///   that is not a decimal or p/q.
Mat<Rational> columns_from_json(const nlohmann::json& v,
                                Eigen::Index length,
                                const std::string& where);

/// A vector as a JSON list of exact numbers ("p/q", or "p" for integers). Does not throw.
nlohmann::json number_array(const Vec<Rational>& v);

/// A matrix as a JSON list of its rows, each a list of exact numbers. Does not throw.
nlohmann::json number_matrix(const Mat<Rational>& m);

}  // namespace locus
