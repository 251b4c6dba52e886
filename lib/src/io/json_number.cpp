// One exact number from a JSON value (locus/io/json_number.hpp).
#include "locus/io/json_number.hpp"

#include "locus/error.hpp"
#include "locus/scalar/parse.hpp"

#include <fmt/format.h>

namespace locus {

Rational rational_from_json(const nlohmann::json& v, const std::string& where) {
  if (v.is_string()) return parse_rational(v.get<std::string>());
  if (v.is_number()) return parse_rational(v.dump());
  throw InvalidArgument(fmt::format("{}: expected a number or a string, got {}", where, v.dump()));
}

}  // namespace locus
