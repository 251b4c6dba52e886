// Checks shared by the jobs (locus/api/jobs.hpp).
#include <string>
#include <string_view>

#include "locus/api/jobs.hpp"
#include "locus/error.hpp"

#include <fmt/format.h>

namespace locus::api {

void require_point(const Problem& p, const std::string& where, std::string_view need) {
  if (!p.point) {
    throw ParseError(fmt::format(
        "{}: point: missing; {} (P = {} numbers)", where, need, p.network.num_parameters()));
  }
}

}  // namespace locus::api
