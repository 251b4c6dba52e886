// libFuzzer harness: the exact number parser (parse_rational: decimals, exponents, p/q) and the
// exact JSON reader (parse_json_exact, which keeps bare numbers as their text). Any input must
// give a value or a locus::Error, never a crash or a hang; a parsed decimal must print and parse
// back to the same rational.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/io/problem.hpp"
#include "locus/scalar/rational.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const locus::Rational r = locus::parse_rational(text);
    if (locus::parse_rational(locus::to_string(r)) != r) std::abort();  // round trip
  } catch (const locus::Error&) {
  }
  try {
    const nlohmann::json j = locus::parse_json_exact(text, "fuzz");
    if (j.is_array()) {
      for (const auto& v : j) (void)locus::rational_from_json(v, "fuzz");
    }
  } catch (const locus::Error&) {
  }
  return 0;
}
