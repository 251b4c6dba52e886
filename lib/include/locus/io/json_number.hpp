// locus/io/json_number.hpp: one exact number from a JSON value (for the optional members that
// commands read back: tangent bases, path vertices).
#pragma once

#include <string>

#include "locus/scalar/rational.hpp"

#include <nlohmann/json.hpp>

namespace locus {

/// A JSON string ("1/3", "0.1") or number (parsed from its text, so 0.1 is exactly 1/10) as an
/// exact rational.
/// \throws InvalidArgument naming `where` when v is neither; ParseError for text that is not a
///   decimal or p/q.
Rational rational_from_json(const nlohmann::json& v, const std::string& where);

}  // namespace locus
