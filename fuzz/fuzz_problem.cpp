// libFuzzer harness: the problem-file reader (locus/io/problem.hpp) and the readers of the optional
// members built on it, tangent bases and path vertices (columns_from_json). Any input must give a
// Problem or a locus::Error (ParseError, InvalidArgument), never a crash, a hang or a leak.
#include <cstddef>
#include <cstdint>
#include <string>

#include "locus/error.hpp"
#include "locus/io/json_number.hpp"
#include "locus/io/problem.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const locus::Problem p = locus::parse_problem(text, "fuzz");
    const auto P = static_cast<Eigen::Index>(p.network.num_parameters());
    if (p.extra.is_object() && p.extra.contains("tangent_basis")) {
      (void)locus::columns_from_json(p.extra["tangent_basis"], P, "tangent_basis");
    }
    if (p.extra.is_object() && p.extra.contains("path") && p.extra["path"].is_object() &&
        p.extra["path"].contains("vertices")) {
      (void)locus::columns_from_json(p.extra["path"]["vertices"], P, "path.vertices");
    }
  } catch (const locus::Error&) {
    // a clear error is the expected outcome for bad input
  }
  return 0;
}
